using EdgeProxy.FunctionalTests.Infrastructure;
using EdgeProxy.Server;
using Microsoft.Extensions.Configuration;

namespace EdgeProxy.FunctionalTests.Server;

/// <summary>The start-up warm-up drives its private instance over loopback, and nothing of it reaches the real proxy.</summary>
public sealed class StartupWarmupTests : ProxiedOriginTest
{
    [Fact]
    public async Task Run_SendsEveryRequestThroughAPrivateInstance_AndLeavesTheRealProxyAlone()
    {
        var real = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["EdgeProxy:Transport:BlockSize"] = "16384",
        }).Build();

        var result = await StartupWarmup.RunAsync(real, new WarmupOptions { HitDuration = TimeSpan.Zero });

        Assert.True(result.Failure is null, result.Failure);
        Assert.True(result.Ran);
        Assert.Equal(StartupWarmup.Requests, result.Requests);
        Assert.Equal(18, StartupWarmup.Requests); // 8 collapsed, 3 hits, HEAD, Range, 304, a Range miss, 2 uncacheable, a POST
        Assert.Matches("^18 requests in [0-9]+ ms$", result.ToString());

        // The real proxy (and its origin) saw none of it: its cache has no warm-up key.
        Assert.Equal(0, Origin.Counters.Total);
        Origin.Gates.Release("rest");
        using var probe = await Proxy.Client.GetAsync("/warmup/shared?size=262144&chunks=4&body_gate=rest&gate_after=16384&etag=%22w1%22&cc=public%2C%20max-age%3D60");
        Assert.Contains("fwd=uri-miss", probe.CacheStatus(), StringComparison.Ordinal);
        Assert.Equal(1, Origin.Counters.Total);
    }

    [Fact]
    public async Task Run_WithHitDuration_SendsHitsAfterThePaths_AndSaysSo()
    {
        var result = await StartupWarmup.RunAsync(new ConfigurationBuilder().Build(), new WarmupOptions { HitDuration = TimeSpan.FromMilliseconds(300) });

        Assert.True(result.Failure is null, result.Failure);
        Assert.Equal(StartupWarmup.Requests, result.Requests);
        Assert.True(result.Hits >= 2 && result.Hits % 2 == 0, $"{result.Hits} hits: the small and the shared body in turn");
        Assert.True(result.Total >= result.Elapsed);
        Assert.Matches(@"^18 requests in [0-9]+ ms, then [0-9]+ hits (until the JIT went quiet|\(the JIT still busy\)), [0-9]+ ms in all$", result.ToString());
        Assert.Equal(0, Origin.Counters.Total);
    }

    [Fact]
    public async Task Run_PastItsTimeout_ReportsAndReturns()
    {
        var result = await StartupWarmup.RunAsync(new ConfigurationBuilder().Build(), new WarmupOptions { Timeout = TimeSpan.FromTicks(1) });

        Assert.True(result.Ran);
        Assert.StartsWith("failed after 0 requests", result.ToString(), StringComparison.Ordinal);
        Assert.Contains("timed out", result.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_Disabled_DoesNothing()
    {
        var result = await StartupWarmup.RunAsync(new ConfigurationBuilder().Build(), new WarmupOptions { Enabled = false });

        Assert.Same(WarmupResult.Off, result);
        Assert.Equal("off", result.ToString());
    }
}
