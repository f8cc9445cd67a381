using System.Net;
using EdgeProxy.FunctionalTests.Infrastructure;
using EdgeProxy.TestOrigin;

namespace EdgeProxy.FunctionalTests.Admin;

public sealed class AdminListenerTests : IAsyncLifetime
{
    private TestOriginServer _origin = null!;
    private ProxyInstance _proxy = null!;

    public async Task InitializeAsync()
    {
        _origin = await TestOriginServer.StartAsync();
        _proxy = await ProxyInstance.StartAsync(ProxySettings.TwoOrigins(_origin.BaseAddress));
    }

    public async Task DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await _origin.DisposeAsync();
    }

    [Fact]
    public async Task Healthz_OnAdminListener_Is200()
    {
        using var response = await _proxy.AdminClient.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, _origin.Counters.Total);
    }

    [Fact]
    public async Task Readyz_WhenStarted_Is200()
    {
        using var response = await _proxy.AdminClient.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ready\n", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task UnknownPath_OnAdminListener_Is404AndNeverReachesOrigin()
    {
        using var response = await _proxy.AdminClient.GetAsync("/some/origin/path");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(0, _origin.Counters.Total);
    }

    [Fact]
    public async Task Healthz_OnProxyListener_IsForwardedToOrigin()
    {
        using var response = await _proxy.Client.GetAsync("/healthz?size=7");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, _origin.Counters.For("/healthz"));
        Assert.Equal(7, (await response.Content.ReadAsByteArrayAsync()).Length);
    }
}
