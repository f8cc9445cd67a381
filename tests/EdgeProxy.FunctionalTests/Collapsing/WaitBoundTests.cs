using System.Net;
using EdgeProxy.FunctionalTests.Infrastructure;
using EdgeProxy.TestOrigin;

namespace EdgeProxy.FunctionalTests.Collapsing;

/// <summary>Waiting on a fill is bounded: waiter cap and header wait, each with its configured action.</summary>
public sealed class WaitBoundTests : IAsyncLifetime
{
    private TestOriginServer _origin = null!;

    public async Task InitializeAsync() => _origin = await TestOriginServer.StartAsync();

    public async Task DisposeAsync() => await _origin.DisposeAsync();

    private Task<ProxyInstance> ProxyAsync(string action, string maxWait = "00:00:30", string maxWaiters = "1000") =>
        ProxyInstance.StartAsync(ProxySettings.TwoOrigins(_origin.BaseAddress)
            .With("EdgeProxy:Caching:Collapsing:WaitLimitAction", action)
            .With("EdgeProxy:Caching:Collapsing:MaxWait", maxWait)
            .With("EdgeProxy:Caching:Collapsing:MaxWaiters", maxWaiters));

    private void HoldFirstRequest(string gate) =>
        _origin.Intercept = async ctx =>
        {
            if (ctx.Response.Headers["X-Origin-Count"] == "1")
            {
                await _origin.Gates.WaitAsync(gate, ctx.RequestAborted);
            }

            return false;
        };

    [Fact]
    public async Task MaxWait_ServiceUnavailable_503WithRetryAfter()
    {
        await using var proxy = await ProxyAsync("ServiceUnavailable", maxWait: "00:00:00.200");
        HoldFirstRequest("held");
        var first = proxy.Client.GetAsync("/bound/wait?size=10&cc=max-age%3D60");
        await _origin.Gates.WhenReceived("/bound/wait");

        using var waiter = await proxy.Client.GetAsync("/bound/wait?size=10&cc=max-age%3D60");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, waiter.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), waiter.Headers.RetryAfter!.Delta);
        Assert.Contains("detail=wait-max-wait", waiter.CacheStatus(), StringComparison.Ordinal);
        _origin.Gates.Release("held");
        using var firstResponse = await first;
        Assert.Equal(HttpStatusCode.OK, firstResponse.StatusCode);
    }

    [Fact]
    public async Task MaxWait_Origin_WaiterGoesToTheOriginItself()
    {
        await using var proxy = await ProxyAsync("Origin", maxWait: "00:00:00.200");
        HoldFirstRequest("held2");
        var first = proxy.Client.GetAsync("/bound/wait2?size=10&cc=max-age%3D60");
        await _origin.Gates.WhenReceived("/bound/wait2");

        using var waiter = await proxy.Client.GetAsync("/bound/wait2?size=10&cc=max-age%3D60");

        Assert.Equal(HttpStatusCode.OK, waiter.StatusCode);
        Assert.Equal(2, _origin.Counters.For("/bound/wait2"));
        _origin.Gates.Release("held2");
        (await first).Dispose();
    }

    [Fact]
    public async Task MaxWaiters_Origin_NextArrivalBypassesTheFill()
    {
        await using var proxy = await ProxyAsync("Origin", maxWaiters: "1");
        HoldFirstRequest("held3");
        using var client = proxy.NewClient();
        var first = client.GetAsync("/bound/cap?size=10&cc=max-age%3D60");
        await _origin.Gates.WhenReceived("/bound/cap");
        var waiter = client.GetAsync("/bound/cap?size=10&cc=max-age%3D60");
        await proxy.Logs.WaitForAsync(l => l.EventId.Id == 3112 && l.Message.Contains("/bound/cap", StringComparison.Ordinal));

        using var overflow = await client.GetAsync("/bound/cap?size=10&cc=max-age%3D60");

        Assert.Equal(HttpStatusCode.OK, overflow.StatusCode);
        Assert.Contains("detail=wait-waiters", overflow.CacheStatus(), StringComparison.Ordinal);
        Assert.Equal(2, _origin.Counters.For("/bound/cap"));
        _origin.Gates.Release("held3");
        (await first).Dispose();
        (await waiter).Dispose();
    }
}
