using EdgeProxy.FunctionalTests.Infrastructure;
using EdgeProxy.TestOrigin;

namespace EdgeProxy.FunctionalTests.Escalation;

/// <summary>A healthy secondary test origin ("secondary") per test; each test starts its proxy with the primary it needs.</summary>
public abstract class EscalationTestBase : IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _owned = [];

    protected TestOriginServer Secondary { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Secondary = await TestOriginServer.StartAsync(new TestOriginOptions { Name = "secondary" });

    public async Task DisposeAsync()
    {
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync();
        }

        await Secondary.DisposeAsync();
    }

    protected T Own<T>(T disposable)
        where T : IAsyncDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }

    protected async Task<TestOriginServer> StartPrimaryAsync(int? forceStatus = null) =>
        Own(await TestOriginServer.StartAsync(new TestOriginOptions { Name = "primary", ForceStatus = forceStatus }));

    /// <summary>
    /// A proxy whose cluster "primary" (at <paramref name="primary"/>) escalates to "secondary". Timeouts stay
    /// at the harness's safe defaults; a test that needs a short one sets it on the primary only
    /// (<see cref="ShortPrimaryTimeouts"/>), so a busy machine cannot make the healthy secondary look dead.
    /// </summary>
    protected async Task<ProxyInstance> StartProxyAsync(Uri primary, Action<Dictionary<string, string?>>? configure = null, Action<Microsoft.AspNetCore.Builder.WebApplicationBuilder>? builder = null)
    {
        var settings = ProxySettings.TwoOrigins(primary, Secondary.BaseAddress)
            .With("EdgeProxy:Clusters:primary:Secondary", "secondary")
            .With("EdgeProxy:OriginDefaults:Deadline", "00:00:20");
        configure?.Invoke(settings);
        return Own(await ProxyInstance.StartAsync(settings, builder));
    }

    /// <summary>Connect 300 ms and response headers 400 ms, for the primary cluster only.</summary>
    protected static void ShortPrimaryTimeouts(Dictionary<string, string?> settings) => settings
        .With("EdgeProxy:Clusters:primary:ConnectTimeout", "00:00:00.300")
        .With("EdgeProxy:Clusters:primary:ResponseHeaderTimeout", "00:00:00.400");
}
