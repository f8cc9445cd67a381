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
    public async Task Run_WithHitDuration_SendsRoundsOfHitsOnItsConnectionsAfterThePaths_AndSaysSo()
    {
        var result = await StartupWarmup.RunAsync(new ConfigurationBuilder().Build(), new WarmupOptions { HitDuration = TimeSpan.FromMilliseconds(300), HitConnections = 4 });

        Assert.True(result.Failure is null, result.Failure);
        Assert.Equal(StartupWarmup.Requests, result.Requests);
        Assert.Equal(4, result.Connections);
        Assert.True(result.Rounds >= 1, $"{result.Rounds} rounds");
        Assert.True(result.Hits >= 4, $"{result.Hits} hits: each connection sends at least one per round");
        Assert.True(result.Total >= result.Elapsed);
        Assert.Matches(@"^18 requests in [0-9]+ ms, then [0-9]+ hits on 4 connections in [0-9]+ rounds (until the JIT settled|\(the JIT still busy\)), [0-9]+ ms in all$", result.ToString());
        Assert.Equal(0, Origin.Counters.Total);
    }

    [Fact]
    public async Task Run_StopRequested_EndsAndSaysWhy()
    {
        using var stop = new CancellationTokenSource();
        await stop.CancelAsync();

        var result = await StartupWarmup.RunAsync(new ConfigurationBuilder().Build(), new WarmupOptions(), stop.Token);

        Assert.True(result.Ran);
        Assert.Equal("stopped by a signal", result.Failure);
        Assert.StartsWith("failed after 0 requests", result.ToString(), StringComparison.Ordinal);
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
