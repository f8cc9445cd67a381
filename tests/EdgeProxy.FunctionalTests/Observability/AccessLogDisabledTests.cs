using EdgeProxy.FunctionalTests.Infrastructure;

namespace EdgeProxy.FunctionalTests.Observability;

public sealed class AccessLogDisabledTests : ProxiedOriginTest
{
    protected override void Configure(Dictionary<string, string?> settings) => settings["EdgeProxy:AccessLog:Enabled"] = "false";

    [Fact]
    public async Task Request_WhenDisabled_WritesNoAccessLine()
    {
        using var response = await Proxy.Client.GetAsync("/quiet/a");
        response.EnsureSuccessStatusCode();
        await Proxy.App.StopAsync(); // flushes the access-log queue

        Assert.DoesNotContain(Proxy.Logs.Lines, l => l.Category == "EdgeProxy.AccessLog");
    }
}
