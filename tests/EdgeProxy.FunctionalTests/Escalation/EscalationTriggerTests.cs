using System.Net;
using EdgeProxy.FunctionalTests.Infrastructure;
using EdgeProxy.TestOrigin;

namespace EdgeProxy.FunctionalTests.Escalation;

/// <summary>Each trigger, on real sockets, yields the secondary's complete 200.</summary>
public sealed class EscalationTriggerTests : EscalationTestBase
{
    [Fact]
    public async Task Get_PrimaryRefused_SecondaryAnswers()
    {
        var proxy = await StartProxyAsync(NetworkFaults.ClosedPort());

        await AssertSecondaryAnswersAsync(proxy, "/refused/a", "refused");
    }

    [Fact]
    public async Task Get_PrimarySilent_SecondaryAnswersAfterHeaderTimeout()
    {
        var silent = Own(new SilentListener());
        var proxy = await StartProxyAsync(silent.Address, ShortPrimaryTimeouts);

        await AssertSecondaryAnswersAsync(proxy, "/silent/a", "header-timeout");
        Assert.True(silent.WhenRequestReceived.IsCompleted, "the silent primary accepted and read the request");
    }

    [Fact]
    public async Task Get_PrimaryAcceptQueueFull_SecondaryAnswersAfterConnectTimeout()
    {
        using var full = await NetworkFaults.FullAcceptQueueAsync();
        var proxy = await StartProxyAsync(full.Address, ShortPrimaryTimeouts);

        await AssertSecondaryAnswersAsync(proxy, "/connect/a", "connect-timeout");
    }

    [Fact]
    public async Task Get_Primary503_SecondaryAnswersAndNothingOfThePrimaryReachesTheClient()
    {
        var primary = await StartPrimaryAsync(forceStatus: 503);
        var proxy = await StartProxyAsync(primary.BaseAddress);

        using var response = await proxy.Client.GetAsync("/status/a?size=700");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("secondary", Assert.Single(response.Headers.GetValues("X-Origin")));
        Assert.Equal(TestOriginServer.ExpectedBody("/status/a", 700), await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(1, primary.Counters.For("/status/a"));
        Assert.Equal(1, Secondary.Counters.For("/status/a"));
        var line = await proxy.Logs.WaitForAccessLogAsync("/status/a");
        Assert.Equal("status-503", line.Property("Escalation"));
        Assert.Equal(2, line.Property("Attempts"));
    }

    [Fact]
    public async Task Head_Primary503_Escalated()
    {
        var primary = await StartPrimaryAsync(forceStatus: 503);
        var proxy = await StartProxyAsync(primary.BaseAddress);

        using var request = new HttpRequestMessage(HttpMethod.Head, "/head/a?size=321");
        using var response = await proxy.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("secondary", Assert.Single(response.Headers.GetValues("X-Origin")));
        Assert.Equal(321, response.Content.Headers.ContentLength);
        Assert.Equal(1, Secondary.Counters.For("/head/a"));
    }

    [Fact]
    public async Task Get_PrimaryResetsBeforeHeaders_SecondaryAnswers()
    {
        var reset = Own(new ResetListener());
        var proxy = await StartProxyAsync(reset.Address);

        await AssertSecondaryAnswersAsync(proxy, "/reset/a", "reset");
        Assert.True(reset.Connections >= 1, "the primary accepted the connection before resetting it");
    }

    [Fact]
    public async Task Get_StatusNotConfigured_PassedThrough()
    {
        var primary = await StartPrimaryAsync(forceStatus: 500);
        var proxy = await StartProxyAsync(primary.BaseAddress, s => s
            .With("EdgeProxy:Clusters:primary:EscalateStatuses:0", "503"));

        using var response = await proxy.Client.GetAsync("/five-hundred/a?size=10");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("primary", Assert.Single(response.Headers.GetValues("X-Origin")));
        Assert.Equal(0, Secondary.Counters.Total);
    }

    [Fact]
    public async Task Get_TriggerNotConfigured_NotEscalated()
    {
        var proxy = await StartProxyAsync(NetworkFaults.ClosedPort(), s => s
            .With("EdgeProxy:Clusters:primary:EscalateOn:0", "header-timeout"));

        using var response = await proxy.Client.GetAsync("/refused-kept/a");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal(0, Secondary.Counters.Total);
    }

    private async Task AssertSecondaryAnswersAsync(ProxyInstance proxy, string path, string reason)
    {
        using var response = await proxy.Client.GetAsync(path + "?size=1500");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("secondary", Assert.Single(response.Headers.GetValues("X-Origin")));
        Assert.Equal(TestOriginServer.ExpectedBody(path, 1500), await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(1, Secondary.Counters.For(path));
        var line = await proxy.Logs.WaitForAccessLogAsync(path);
        Assert.Equal(reason, line.Property("Escalation"));
        Assert.Equal(2, line.Property("Attempts"));
        Assert.Equal(Secondary.BaseAddress.ToString(), line.Property("Origin"));
        Assert.Equal("-", line.Property("Failure"));
        Assert.Contains("primary ", (string)line.Property("Detail")!, StringComparison.Ordinal);
        Assert.Contains("secondary " + Secondary.BaseAddress + " 200", (string)line.Property("Detail")!, StringComparison.Ordinal);
    }
}
