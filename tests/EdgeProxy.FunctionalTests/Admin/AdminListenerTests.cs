using System.Net;
using EdgeProxy.FunctionalTests.Infrastructure;
using EdgeProxy.TestOrigin;

namespace EdgeProxy.FunctionalTests.Admin;

public sealed class AdminListenerTests : ProxiedOriginTest
{
    [Fact]
    public async Task Healthz_OnAdminListener_Is200()
    {
        using var response = await Proxy.AdminClient.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, Origin.Counters.Total);
    }

    [Fact]
    public async Task Readyz_WhenStarted_Is200()
    {
        using var response = await Proxy.AdminClient.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ready\n", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task UnknownPath_OnAdminListener_Is404AndNeverReachesOrigin()
    {
        using var response = await Proxy.AdminClient.GetAsync("/some/origin/path");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(0, Origin.Counters.Total);
    }

    [Fact]
    public async Task Healthz_OnProxyListener_IsForwardedToOrigin()
    {
        using var response = await Proxy.Client.GetAsync("/healthz?size=7");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, Origin.Counters.For("/healthz"));
        Assert.Equal(7, (await response.Content.ReadAsByteArrayAsync()).Length);
    }
}
