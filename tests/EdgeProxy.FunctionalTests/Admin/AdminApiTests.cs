using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using EdgeProxy.Caching;
using EdgeProxy.FunctionalTests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeProxy.FunctionalTests.Admin;

/// <summary>The admin API with a key configured and a fake cache behind <see cref="ICachePurger"/>.</summary>
public sealed class AdminApiTests : ProxiedOriginTest
{
    private const string Key = "test-admin-key-0123456789";
    private readonly FakeCachePurger _cache = new();

    protected override void Configure(Dictionary<string, string?> settings) => settings["EdgeProxy:Admin:ApiKey"] = Key;

    protected override void ConfigureHost(WebApplicationBuilder builder) => builder.Services.AddSingleton<ICachePurger>(_cache);

    [Theory]
    [InlineData("POST", "/admin/purge?url=http://example.com/a")]
    [InlineData("GET", "/admin/stats")]
    [InlineData("GET", "/admin/config")]
    [InlineData("GET", "/admin/dashboard.json")]
    [InlineData("GET", "/metrics")]
    public async Task Endpoint_WithoutKey_Is401(string method, string path)
    {
        using var response = await Proxy.AdminClient.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Empty(_cache.Calls);
    }

    [Fact]
    public async Task Purge_WrongKey_Is401AndLogged()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/admin/purge?url=http://example.com/a");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Key + "x");
        using var response = await Proxy.AdminClient.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(_cache.Calls);
        await Proxy.Logs.WaitForAsync(l => l.EventId.Id == 5010);
    }

    [Theory]
    [InlineData("url=http%3A%2F%2Fexample.com%2Fa%3Fq%3D1", "url", "http://example.com/a?q=1", 2)]
    [InlineData("prefix=https://example.com/static/", "prefix", "https://example.com/static/", 5)]
    [InlineData("tag=product-42", "tag", "product-42", 7)]
    public async Task Purge_WithBearerKey_RoutesToTheCache(string query, string kind, string target, int count)
    {
        using var response = await SendAsync(HttpMethod.Post, "/admin/purge?" + query, bearer: true);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(count, json.RootElement.GetProperty("purged").GetInt32());
        Assert.Equal(target, json.RootElement.GetProperty(kind).GetString());
        Assert.Equal((kind, target), Assert.Single(_cache.Calls));
        Assert.Equal(0, Origin.Counters.Total);
    }

    [Fact]
    public async Task Purge_WithXApiKeyHeader_Is200()
    {
        using var response = await SendAsync(HttpMethod.Post, "/admin/purge?tag=t1", bearer: false);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(("tag", "t1"), Assert.Single(_cache.Calls));
    }

    [Theory]
    [InlineData("/admin/purge")]
    [InlineData("/admin/purge?url=/relative/path")]
    [InlineData("/admin/purge?url=")]
    public async Task Purge_BadTarget_Is400(string path)
    {
        using var response = await SendAsync(HttpMethod.Post, path, bearer: true);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(_cache.Calls);
    }

    [Fact]
    public async Task Purge_Get_Is405()
    {
        using var response = await SendAsync(HttpMethod.Get, "/admin/purge?tag=x", bearer: true);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Empty(_cache.Calls);
    }

    [Fact]
    public async Task Stats_WithKey_ReturnsCacheStatistics()
    {
        using var response = await SendAsync(HttpMethod.Get, "/admin/stats", bearer: true);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(12, json.RootElement.GetProperty("entries").GetInt64());
        Assert.Equal(3000, json.RootElement.GetProperty("bytes").GetInt64());
        Assert.Equal(12000, json.RootElement.GetProperty("capacityBytes").GetInt64());
        Assert.Equal(0.25, json.RootElement.GetProperty("fill").GetDouble());
        Assert.Equal(0.75, json.RootElement.GetProperty("hitRatio").GetDouble());
    }

    [Fact]
    public async Task Config_WithKey_ShowsEffectiveConfigurationWithSecretsMasked()
    {
        using var response = await SendAsync(HttpMethod.Get, "/admin/config", bearer: true);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain(Key, body, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        Assert.Equal("***", root.GetProperty("EdgeProxy").GetProperty("Admin").GetProperty("ApiKey").GetString());
        Assert.Equal(Origin.BaseAddress.ToString(), root.GetProperty("ReverseProxy").GetProperty("Clusters").GetProperty("primary")
            .GetProperty("Destinations").GetProperty("origin1").GetProperty("Address").GetString());
        Assert.False(root.TryGetProperty("PATH", out _));
    }

    [Fact]
    public async Task HealthAndReadiness_WithKeyConfigured_StayOpen()
    {
        using var healthz = await Proxy.AdminClient.GetAsync("/healthz");
        using var readyz = await Proxy.AdminClient.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.OK, healthz.StatusCode);
        Assert.Equal(HttpStatusCode.OK, readyz.StatusCode);
    }

    [Fact]
    public async Task Metrics_WithKey_Is200()
    {
        using var response = await SendAsync(HttpMethod.Get, "/metrics", bearer: true);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task PurgeMethod_FromLoopback_PurgesTheRequestUrlWithoutReachingOrigin()
    {
        using var request = new HttpRequestMessage(new HttpMethod("PURGE"), "/products/1?color=red");
        using var response = await Proxy.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(2, json.RootElement.GetProperty("purged").GetInt32());
        Assert.Equal(("url", new Uri(Proxy.ProxyAddress, "/products/1?color=red").ToString()), Assert.Single(_cache.Calls));
        Assert.Equal(0, Origin.Counters.Total);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, bool bearer)
    {
        using var request = new HttpRequestMessage(method, path);
        if (bearer)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        }
        else
        {
            request.Headers.Add("X-Api-Key", Key);
        }

        return await Proxy.AdminClient.SendAsync(request);
    }
}
