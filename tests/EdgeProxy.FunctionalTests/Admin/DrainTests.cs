using System.Net;
using EdgeProxy.Admin;
using EdgeProxy.FunctionalTests.Infrastructure;
using EdgeProxy.TestOrigin;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeProxy.FunctionalTests.Admin;

/// <summary>Graceful drain in process (the SIGTERM path of the real process is in ProcessLifecycleTests) and the start-up line.</summary>
public sealed class DrainTests : ProxiedOriginTest
{
    [Fact]
    public async Task Stop_InFlightRequest_FinishesCompleteBeforeTheHostStops()
    {
        var inFlight = Proxy.Client.GetAsync("/drain/in-flight?gate=drain-1&size=7000");
        await Origin.Gates.WhenReceived("/drain/in-flight").WaitAsync(TimeSpan.FromSeconds(15));

        var stopping = Proxy.App.StopAsync();
        await Proxy.Logs.WaitForAsync(l => l.EventId.Id == 5001);
        Assert.False(Proxy.App.Services.GetRequiredService<ReadinessState>().IsReady);
        Assert.False(stopping.IsCompleted);
        Origin.Gates.Release("drain-1");

        using var response = await inFlight;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(TestOriginServer.ExpectedBody("/drain/in-flight", 7000), await response.Content.ReadAsByteArrayAsync());
        await stopping.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task StartUp_LogsListenersClustersAndCacheSize()
    {
        var line = await Proxy.Logs.WaitForAsync(l => l.EventId.Id == 5002);

        Assert.Contains(Proxy.ProxyAddress.ToString().TrimEnd('/'), line.Message, StringComparison.Ordinal);
        Assert.Contains(Proxy.AdminAddress.ToString().TrimEnd('/'), line.Message, StringComparison.Ordinal);
        Assert.Contains($"primary [{Origin.BaseAddress}]", line.Message, StringComparison.Ordinal);
        Assert.Contains("cache ", line.Message, StringComparison.Ordinal);
    }
}

public sealed class DrainDelayTests : ProxiedOriginTest
{
    protected override void Configure(Dictionary<string, string?> settings) => settings["EdgeProxy:Lifecycle:DrainDelay"] = "00:05:00";

    [Fact]
    public async Task Stop_DuringDrainDelay_ReadyzIs503AndTrafficStillServed()
    {
        using var cts = new CancellationTokenSource();
        var stopping = Proxy.App.StopAsync(cts.Token);
        await Proxy.Logs.WaitForAsync(l => l.EventId.Id == 5001);

        using var readyz = await Proxy.AdminClient.GetAsync("/readyz");
        using var healthz = await Proxy.AdminClient.GetAsync("/healthz");
        using var proxied = await Proxy.Client.GetAsync("/during-drain?size=10");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, readyz.StatusCode);
        Assert.Equal(HttpStatusCode.OK, healthz.StatusCode);
        Assert.Equal(HttpStatusCode.OK, proxied.StatusCode);
        await cts.CancelAsync();
        await stopping.WaitAsync(TimeSpan.FromSeconds(30));
    }
}
