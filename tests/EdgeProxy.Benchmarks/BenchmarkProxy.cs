using EdgeProxy.Admin;
using EdgeProxy.TestOrigin;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeProxy.Benchmarks;

/// <summary>A test origin and EdgeProxy in front of it on ephemeral loopback ports, quiet logs: what every whole-request benchmark starts.</summary>
internal sealed class BenchmarkProxy : IAsyncDisposable
{
    private BenchmarkProxy(TestOriginServer origin, WebApplication proxy)
    {
        Origin = origin;
        Proxy = proxy;
        Address = proxy.Services.GetRequiredService<EdgeProxyListeners>().ProxyAddresses[0];
    }

    public TestOriginServer Origin { get; }

    public WebApplication Proxy { get; }

    /// <summary>The proxy listener's address.</summary>
    public Uri Address { get; }

    public static async Task<BenchmarkProxy> StartAsync(bool accessLog)
    {
        var origin = await TestOriginServer.StartAsync();
        var proxy = EdgeProxyHost.Build([], new Dictionary<string, string?>
        {
            ["Kestrel:Endpoints:Proxy:Url"] = "http://127.0.0.1:0",
            ["Kestrel:Endpoints:Admin:Url"] = "http://127.0.0.1:0",
            ["ReverseProxy:Clusters:primary:Destinations:origin1:Address"] = origin.BaseAddress.ToString(),
            ["Serilog:MinimumLevel:Default"] = "Warning",
            ["Serilog:MinimumLevel:Override:EdgeProxy.AccessLog"] = "Warning",
            ["EdgeProxy:AccessLog:Enabled"] = accessLog ? "true" : "false",
            ["hostBuilder:reloadConfigOnChange"] = "false",
        });
        await proxy.StartAsync();
        return new BenchmarkProxy(origin, proxy);
    }

    public async ValueTask DisposeAsync()
    {
        await Proxy.StopAsync();
        await Proxy.DisposeAsync();
        await Origin.DisposeAsync();
    }
}
