using System.Net;
using EdgeProxy.FunctionalTests.Infrastructure;
using EdgeProxy.TestOrigin;

namespace EdgeProxy.FunctionalTests.Escalation;

/// <summary>Hedging: after HedgeDelay without headers the secondary races the primary; the first headers win, the loser is cancelled.</summary>
public sealed class HedgingTests : EscalationTestBase
{
    private Task<ProxyInstance> StartHedgingProxyAsync(Uri primary) =>
        StartProxyAsync(primary, s => s
            .With("EdgeProxy:Clusters:primary:HedgeDelay", "00:00:00.050")
            .With("EdgeProxy:Clusters:primary:ResponseHeaderTimeout", "00:00:30")
            .With("EdgeProxy:Clusters:primary:Breaker:Enabled", "false"));

    [Fact]
    public async Task Get_SecondaryAnswersFirst_HedgeWinsAndStreamsTheWholeBody()
    {
        var primary = await StartPrimaryAsync();
        var proxy = await StartHedgingProxyAsync(primary.BaseAddress);

        // Both origins hold the request on the gate "go"; the hedge has started once the secondary has it.
        var request = proxy.Client.GetAsync("/hedge/a?gate=go&size=50000");
        await Secondary.Gates.WhenReceived("/hedge/a");
        await primary.Gates.WhenReceived("/hedge/a");
        Secondary.Gates.Release("go");

        using var response = await request;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("secondary", Assert.Single(response.Headers.GetValues("X-Origin")));
        Assert.Equal(TestOriginServer.ExpectedBody("/hedge/a", 50000), await response.Content.ReadAsByteArrayAsync());
        var line = await proxy.Logs.WaitForAccessLogAsync("/hedge/a");
        Assert.Equal("hedge", line.Property("Escalation"));
        Assert.Equal(2, line.Property("Attempts"));
        Assert.Equal(Secondary.BaseAddress.ToString(), line.Property("Origin"));
        Assert.Equal($"primary {primary.BaseAddress} lost-to-hedge; hedge {Secondary.BaseAddress} 200", line.Property("Detail"));
        primary.Gates.Release("go"); // the cancelled primary request is gone; releasing must not reach the client
    }

    [Fact]
    public async Task Get_PrimaryAnswersFirst_PrimaryWinsAndTheHedgeIsCancelled()
    {
        var primary = await StartPrimaryAsync();
        var proxy = await StartHedgingProxyAsync(primary.BaseAddress);

        var request = proxy.Client.GetAsync("/race/a?gate=go&size=20000");
        await Secondary.Gates.WhenReceived("/race/a");
        primary.Gates.Release("go");

        using var response = await request;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("primary", Assert.Single(response.Headers.GetValues("X-Origin")));
        Assert.Equal(TestOriginServer.ExpectedBody("/race/a", 20000), await response.Content.ReadAsByteArrayAsync());
        var line = await proxy.Logs.WaitForAccessLogAsync("/race/a");
        Assert.Equal("-", line.Property("Escalation"));
        Assert.Equal(2, line.Property("Attempts"));
        Assert.Equal(primary.BaseAddress.ToString(), line.Property("Origin"));
        Assert.StartsWith($"primary {primary.BaseAddress} 200; hedge {Secondary.BaseAddress} ", (string)line.Property("Detail")!, StringComparison.Ordinal);
        Secondary.Gates.Release("go");
    }

    [Fact]
    public async Task Get_SilentPrimary_HedgeAnswersLongBeforeTheHeaderTimeout()
    {
        var silent = Own(new SilentListener());
        var proxy = await StartHedgingProxyAsync(silent.Address);

        using var response = await proxy.Client.GetAsync("/hedge/silent?size=100");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("secondary", Assert.Single(response.Headers.GetValues("X-Origin")));
        var line = await proxy.Logs.WaitForAccessLogAsync("/hedge/silent");
        Assert.Equal("hedge", line.Property("Escalation"));
    }

    [Fact]
    public async Task Get_HedgeGets503_PrimaryStillAnswers()
    {
        var primary = await StartPrimaryAsync();
        var proxy = await StartHedgingProxyAsync(primary.BaseAddress);
        Secondary.ForceStatus = 503;

        var request = proxy.Client.GetAsync("/hedge/503?gate=go&size=10");
        await Secondary.Gates.WhenReceived("/hedge/503");
        Secondary.Gates.Release("go");
        await Secondary.Gates.WhenHeadersSent("/hedge/503");
        primary.Gates.Release("go");

        using var response = await request;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("primary", Assert.Single(response.Headers.GetValues("X-Origin")));
    }
}
