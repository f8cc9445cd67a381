using System.Net;
using EdgeProxy.FunctionalTests.Infrastructure;

namespace EdgeProxy.FunctionalTests.Escalation;

/// <summary>When the primary and the secondary both fail: 502 or 504 with a short body, within the deadline, and each attempt in the log.</summary>
public sealed class EscalationBothDownTests
{
    [Fact]
    public async Task Get_BothRefused_Is502WithEachAttemptInTheAccessLog()
    {
        var primary = NetworkFaults.ClosedPort();
        var secondary = NetworkFaults.ClosedPort();
        await using var proxy = await ProxyInstance.StartAsync(ProxySettings.TwoOrigins(primary, secondary)
            .With("EdgeProxy:Clusters:primary:Secondary", "secondary"));

        using var response = await proxy.Client.GetAsync("/both/refused");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Contains("refused", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var line = await proxy.Logs.WaitForAccessLogAsync("/both/refused");
        Assert.Equal("refused", line.Property("Escalation"));
        Assert.Equal(2, line.Property("Attempts"));
        Assert.Equal($"primary {primary} refused; secondary {secondary} refused", line.Property("Detail"));
    }

    [Fact]
    public async Task Get_BothSilent_Is504AtTheDeadlineNotTheHeaderTimeout()
    {
        await using var primary = new SilentListener();
        await using var secondary = new SilentListener();
        // Header timeouts far beyond the deadline: only the deadline can end this request.
        await using var proxy = await ProxyInstance.StartAsync(ProxySettings.TwoOrigins(primary.Address, secondary.Address)
            .With("EdgeProxy:Clusters:primary:Secondary", "secondary")
            .With("EdgeProxy:Clusters:primary:ResponseHeaderTimeout", "00:00:00.300")
            .With("EdgeProxy:Clusters:secondary:ResponseHeaderTimeout", "00:01:00")
            .With("EdgeProxy:Clusters:primary:Deadline", "00:00:03"));

        using var response = await proxy.Client.GetAsync("/both/silent");

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.True(response.Content.Headers.ContentLength < 200, "a short body");
        var line = await proxy.Logs.WaitForAccessLogAsync("/both/silent");
        Assert.Equal("deadline", line.Property("Failure"));
        Assert.Equal("header-timeout", line.Property("Escalation"));
        Assert.Equal($"primary {primary.Address} header-timeout; secondary {secondary.Address} deadline", line.Property("Detail"));
        Assert.True(secondary.WhenRequestReceived.IsCompleted, "the secondary was asked");
    }

    [Fact]
    public async Task Get_PrimarySilentPastTheDeadline_Is504WithoutEscalating()
    {
        await using var primary = new SilentListener();
        await using var secondary = new SilentListener();
        await using var proxy = await ProxyInstance.StartAsync(ProxySettings.TwoOrigins(primary.Address, secondary.Address)
            .With("EdgeProxy:Clusters:primary:Secondary", "secondary")
            .With("EdgeProxy:Clusters:primary:ResponseHeaderTimeout", "00:01:00")
            .With("EdgeProxy:Clusters:primary:Deadline", "00:00:00.500"));

        using var response = await proxy.Client.GetAsync("/silent/deadline");

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        var line = await proxy.Logs.WaitForAccessLogAsync("/silent/deadline");
        Assert.Equal("deadline", line.Property("Failure"));
        Assert.Equal(1, line.Property("Attempts"));
        Assert.Equal(0, secondary.Connections);
    }
}
