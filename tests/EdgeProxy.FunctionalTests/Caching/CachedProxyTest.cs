using EdgeProxy.FunctionalTests.Infrastructure;
using EdgeProxy.TestOrigin;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeProxy.FunctionalTests.Caching;

/// <summary>One origin behind one proxy whose cache clock the test moves (<see cref="Clock"/>).</summary>
public abstract class CachedProxyTest : IAsyncLifetime
{
    protected TestOriginServer Origin { get; private set; } = null!;

    protected ProxyInstance Proxy { get; private set; } = null!;

    protected ManualClock Clock { get; } = new();

    protected virtual void Configure(Dictionary<string, string?> settings)
    {
    }

    public async Task InitializeAsync()
    {
        Origin = await TestOriginServer.StartAsync(new TestOriginOptions { Name = "primary" });
        var settings = ProxySettings.TwoOrigins(Origin.BaseAddress);
        Configure(settings);
        Proxy = await ProxyInstance.StartAsync(settings, builder => builder.Services.AddSingleton<TimeProvider>(Clock));
    }

    public async Task DisposeAsync()
    {
        await Proxy.DisposeAsync();
        await Origin.DisposeAsync();
    }

    protected async Task<HttpResponseMessage> GetAsync(string url, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        var response = await Proxy.Client.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }
}
