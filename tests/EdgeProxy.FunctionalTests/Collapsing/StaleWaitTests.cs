using System.Net;
using EdgeProxy.FunctionalTests.Caching;
using EdgeProxy.FunctionalTests.Infrastructure;

namespace EdgeProxy.FunctionalTests.Collapsing;

/// <summary>WaitLimitAction.Stale: a waiter on a slow revalidation gets the stale entry when the wait bound passes.</summary>
public sealed class StaleWaitTests : CachedProxyTest
{
    protected override void Configure(Dictionary<string, string?> settings)
    {
        settings["EdgeProxy:Caching:Collapsing:WaitLimitAction"] = "Stale";
        settings["EdgeProxy:Caching:Collapsing:MaxWait"] = "00:00:00.200";
    }

    [Fact]
    public async Task MaxWait_Stale_WaiterServedTheStaleEntry()
    {
        const string path = "/bound/stale";
        const string url = path + "?size=10&cc=max-age%3D1&etag=%22s%22";
        using var first = await GetAsync(url);
        Origin.Intercept = async ctx =>
        {
            await Origin.Gates.WaitAsync("revalidation", ctx.RequestAborted);
            return false;
        };
        Clock.Advance(TimeSpan.FromSeconds(10));
        var revalidating = Proxy.Client.GetAsync(url);
        await Origin.Gates.WhenReceived(path, 2);

        using var waiter = await GetAsync(url);

        Assert.Equal(HttpStatusCode.OK, waiter.StatusCode);
        Assert.Contains("detail=wait-max-wait-stale", waiter.CacheStatus(), StringComparison.Ordinal);
        Assert.Equal(2, Origin.Counters.For(path));
        Origin.Gates.Release("revalidation");
        using var done = await revalidating;
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
    }
}
