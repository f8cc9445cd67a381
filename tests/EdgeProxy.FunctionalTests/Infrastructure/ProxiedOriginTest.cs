using EdgeProxy.TestOrigin;

namespace EdgeProxy.FunctionalTests.Infrastructure;

/// <summary>
/// Base for tests that need one test origin (named "primary") behind one proxy, started per test.
/// Override <see cref="Configure"/> to add settings.
/// </summary>
public abstract class ProxiedOriginTest : IAsyncLifetime
{
    protected TestOriginServer Origin { get; private set; } = null!;

    protected ProxyInstance Proxy { get; private set; } = null!;

    protected virtual void Configure(Dictionary<string, string?> settings)
    {
    }

    /// <summary>Runs on the host builder after EdgeProxy's registrations (service overrides, fakes).</summary>
    protected virtual void ConfigureHost(Microsoft.AspNetCore.Builder.WebApplicationBuilder builder)
    {
    }

    public async Task InitializeAsync()
    {
        Origin = await TestOriginServer.StartAsync(new TestOriginOptions { Name = "primary" });
        var settings = ProxySettings.TwoOrigins(Origin.BaseAddress);
        Configure(settings);
        Proxy = await ProxyInstance.StartAsync(settings, ConfigureHost);
    }

    public async Task DisposeAsync()
    {
        await Proxy.DisposeAsync();
        await Origin.DisposeAsync();
    }
}
