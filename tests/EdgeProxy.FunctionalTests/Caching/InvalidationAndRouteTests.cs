using System.Net;
using EdgeProxy.Caching;
using EdgeProxy.FunctionalTests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeProxy.FunctionalTests.Caching;

/// <summary>RFC 9111 4.4 invalidation, per-route options, and the purge seam.</summary>
public sealed class InvalidationAndRouteTests : CachedProxyTest
{
    protected override void Configure(Dictionary<string, string?> settings)
    {
        settings["ReverseProxy:Routes:nocache:ClusterId"] = "primary";
        settings["ReverseProxy:Routes:nocache:Match:Path"] = "/off/{**rest}";
        settings["ReverseProxy:Routes:query:ClusterId"] = "primary";
        settings["ReverseProxy:Routes:query:Match:Path"] = "/q/{**rest}";
        settings["ReverseProxy:Routes:cookie:ClusterId"] = "primary";
        settings["ReverseProxy:Routes:cookie:Match:Path"] = "/cookie/{**rest}";
        settings["EdgeProxy:Caching:Routes:nocache:Enabled"] = "false";
        settings["EdgeProxy:Caching:Routes:query:SortQuery"] = "true";
        settings["EdgeProxy:Caching:Routes:query:IgnoredQueryParameters:0"] = "utm_source";
        settings["EdgeProxy:Caching:Routes:cookie:StripSetCookie"] = "true";
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string url)
    {
        using var request = new HttpRequestMessage(method, url) { Content = new StringContent("abc") };
        return await Proxy.Client.SendAsync(request);
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    [InlineData("M-SEARCH")]
    public async Task Invalidation_SuccessfulUnsafeMethod_InvalidatesTargetUri(string method)
    {
        const string url = "/inv/a?size=10&cc=max-age%3D600";
        using var first = await GetAsync(url);
        using var unsafeResponse = await SendAsync(new HttpMethod(method), url);
        using var after = await GetAsync(url);
        Assert.Contains("fwd=uri-miss", after.CacheStatus(), StringComparison.Ordinal);
        Assert.Equal(3, Origin.Counters.For("/inv/a"));
    }

    [Fact]
    public async Task Invalidation_FailedUnsafeMethod_KeepsEntry()
    {
        using var first = await GetAsync("/inv/failed?size=10&cc=max-age%3D600");
        using var failed = await SendAsync(HttpMethod.Post, "/inv/failed?size=10&cc=max-age%3D600&status=500");
        using var after = await GetAsync("/inv/failed?size=10&cc=max-age%3D600");
        Assert.StartsWith("edgeproxy; hit", after.CacheStatus(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Location")]
    [InlineData("Content-Location")]
    public async Task Invalidation_SameOriginLocationInvalidated(string header)
    {
        const string target = "/inv/target?size=10&cc=max-age%3D600";
        using var first = await GetAsync(target);
        Origin.Intercept = ctx =>
        {
            if (!HttpMethods.IsPost(ctx.Request.Method))
            {
                return Task.FromResult(false);
            }

            ctx.Response.StatusCode = 201;
            ctx.Response.Headers[header] = target;
            return Task.FromResult(true);
        };
        using var posted = await SendAsync(HttpMethod.Post, "/inv/collection");
        using var after = await GetAsync(target);
        Assert.Contains("fwd=uri-miss", after.CacheStatus(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Route_CachingDisabled_Bypass()
    {
        using var first = await GetAsync("/off/a?size=10&cc=max-age%3D600");
        using var second = await GetAsync("/off/a?size=10&cc=max-age%3D600");
        Assert.Equal("edgeproxy; fwd=bypass", second.CacheStatus());
        Assert.Equal(2, Origin.Counters.For("/off/a"));
    }

    [Fact]
    public async Task Route_SortedAndIgnoredQueryParameters_ShareOneEntry()
    {
        using var first = await GetAsync("/q/a?size=10&cc=max-age%3D600&utm_source=x");
        using var reordered = await GetAsync("/q/a?cc=max-age%3D600&size=10&utm_source=y");
        Assert.StartsWith("edgeproxy; hit", reordered.CacheStatus(), StringComparison.Ordinal);
        Assert.Equal(1, Origin.Counters.For("/q/a"));
    }

    [Fact]
    public async Task Key_DifferentQueries_DifferentEntries()
    {
        using var first = await GetAsync("/key/a?size=10&cc=max-age%3D600&test=1");
        using var second = await GetAsync("/key/a?size=10&cc=max-age%3D600&test=2");
        Assert.Equal(2, Origin.Counters.For("/key/a"));
    }

    [Fact]
    public async Task SetCookie_NotStoredByDefault_StrippedAndStoredWhereTheRouteSaysSo()
    {
        using var plain1 = await GetAsync("/sc/a?size=10&cc=max-age%3D600&h.Set-Cookie=a%3Db");
        using var plain2 = await GetAsync("/sc/a?size=10&cc=max-age%3D600&h.Set-Cookie=a%3Db");
        using var stripped1 = await GetAsync("/cookie/a?size=10&cc=max-age%3D600&h.Set-Cookie=a%3Db");
        using var stripped2 = await GetAsync("/cookie/a?size=10&cc=max-age%3D600&h.Set-Cookie=a%3Db");
        Assert.Contains("detail=set-cookie", plain1.CacheStatus(), StringComparison.Ordinal);
        Assert.Equal(2, Origin.Counters.For("/sc/a"));
        Assert.StartsWith("edgeproxy; hit", stripped2.CacheStatus(), StringComparison.Ordinal);
        Assert.False(stripped2.Headers.Contains("Set-Cookie"));
        Assert.Equal(1, Origin.Counters.For("/cookie/a"));
    }

    [Fact]
    public async Task Authorization_NotStoredUnlessPublic()
    {
        using var secret = await GetAsync("/auth/a?size=10&cc=max-age%3D600", ("Authorization", "Bearer x"));
        using var anonymous = await GetAsync("/auth/a?size=10&cc=max-age%3D600");
        using var publicAuth = await GetAsync("/auth/p?size=10&cc=max-age%3D600,public", ("Authorization", "Bearer x"));
        using var publicAnon = await GetAsync("/auth/p?size=10&cc=max-age%3D600,public");
        Assert.Equal(2, Origin.Counters.For("/auth/a"));
        Assert.StartsWith("edgeproxy; hit", publicAnon.CacheStatus(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Purge_UrlPrefixTag_AndStatistics()
    {
        using var a = await GetAsync("/purge/a?size=10&cc=max-age%3D600");
        using var b = await GetAsync("/purge/dir/b?size=10&cc=max-age%3D600");
        using var c = await GetAsync("/purge/c?size=10&cc=max-age%3D600&h.Surrogate-Key=blue%20red");
        using var hit = await GetAsync("/purge/a?size=10&cc=max-age%3D600");
        var purger = Proxy.App.Services.GetRequiredService<ICachePurger>();
        var statistics = purger.GetStatistics();
        Assert.Equal(3, statistics.Entries);
        Assert.True(statistics.Bytes > 30 && statistics.Bytes <= statistics.CapacityBytes);
        Assert.Equal(1, statistics.Hits);

        var origin = Proxy.ProxyAddress.GetLeftPart(UriPartial.Authority);
        Assert.Equal(1, purger.PurgeUrl(origin + "/purge/a?size=10&cc=max-age%3D600"));
        Assert.Equal(1, purger.PurgePrefix(origin + "/purge/dir/"));
        Assert.Equal(1, purger.PurgeTag("red"));
        Assert.Equal(0, purger.GetStatistics().Entries);
    }
}
