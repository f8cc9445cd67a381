using System.Net;
using EdgeProxy.Caching;
using EdgeProxy.Configuration;
using EdgeProxy.FunctionalTests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace EdgeProxy.FunctionalTests.Admin;

/// <summary>PURGE from a network that is not allowed, the admin API without a cache, and the key rules at start-up.</summary>
public sealed class PurgeRestrictionsTests : ProxiedOriginTest
{
    private readonly FakeCachePurger _cache = new();

    protected override void Configure(Dictionary<string, string?> settings)
    {
        settings["EdgeProxy:Admin:PurgeAllowedNetworks:0"] = "10.0.0.0/8";
        settings["EdgeProxy:Admin:MetricsRequireKey"] = "false";
    }

    protected override void ConfigureHost(WebApplicationBuilder builder) => builder.Services.AddSingleton<ICachePurger>(_cache);

    [Fact]
    public async Task PurgeMethod_FromNetworkNotAllowed_Is403AndNothingPurged()
    {
        using var response = await Proxy.Client.SendAsync(new HttpRequestMessage(new HttpMethod("PURGE"), "/products/1"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Empty(_cache.Calls);
        Assert.Equal(0, Origin.Counters.Total);
        await Proxy.Logs.WaitForAsync(l => l.EventId.Id == 5012);
    }

    [Fact]
    public async Task AdminApi_NoKeyOnLoopback_IsOpen()
    {
        using var response = await Proxy.AdminClient.PostAsync("/admin/purge?tag=t", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(("tag", "t"), Assert.Single(_cache.Calls));
    }

    [Fact]
    public async Task Metrics_WithoutCache_AndNoKeyNeeded_Is200()
    {
        await using var proxy = await ProxyInstance.StartAsync(ProxySettings.TwoOrigins(Origin.BaseAddress)
            .With("EdgeProxy:Admin:ApiKey", "another-key-0123456789")
            .With("EdgeProxy:Admin:MetricsRequireKey", "false"), builder => builder.Services.RemoveAll<ICachePurger>());

        using var metrics = await proxy.AdminClient.GetAsync("/metrics");
        using var purge = await proxy.AdminClient.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/admin/purge?tag=t") { Headers = { { "X-Api-Key", "another-key-0123456789" } } });
        using var purgeMethod = await proxy.Client.SendAsync(new HttpRequestMessage(new HttpMethod("PURGE"), "/x"));

        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.Equal(HttpStatusCode.NotImplemented, purge.StatusCode);
        Assert.Contains("cache not enabled", await purge.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotImplemented, purgeMethod.StatusCode);
    }

    [Theory]
    [InlineData("http://0.0.0.0:0", null, "EdgeProxy:Admin:ApiKey: required")]
    [InlineData("http://[::]:0", null, "EdgeProxy:Admin:ApiKey: required")]
    [InlineData("http://127.0.0.1:0", "short", "EdgeProxy:Admin:ApiKey: must be at least 16")]
    public void Build_AdminKeyRules_StopStartUpNamingTheKey(string adminUrl, string? key, string expected)
    {
        var settings = ProxySettings.Base().With("Kestrel:Endpoints:Admin:Url", adminUrl).With("EdgeProxy:Admin:ApiKey", key);

        var ex = Assert.Throws<EdgeProxyConfigurationException>(() => EdgeProxyHost.Build([], settings));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_BadPurgeNetwork_StopsStartUp()
    {
        var settings = ProxySettings.Base().With("EdgeProxy:Admin:PurgeAllowedNetworks:0", "10.0.0.0/99");

        var ex = Assert.Throws<EdgeProxyConfigurationException>(() => EdgeProxyHost.Build([], settings));

        Assert.Contains("EdgeProxy:Admin:PurgeAllowedNetworks:0", ex.Message, StringComparison.Ordinal);
    }
}
