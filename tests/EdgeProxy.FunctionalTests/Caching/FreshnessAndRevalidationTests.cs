using System.Net;
using EdgeProxy.FunctionalTests.Infrastructure;
using EdgeProxy.TestOrigin;

namespace EdgeProxy.FunctionalTests.Caching;

/// <summary>RFC 9111 4.2 (freshness, Age) and 4.3 (validation) over real sockets; the cache clock is moved by hand.</summary>
public sealed class FreshnessAndRevalidationTests : CachedProxyTest
{
    [Fact]
    public async Task Age_EveryHitCarriesAgeIncludingUpstreamAge()
    {
        const string url = "/age/a?size=10&cc=max-age%3D600&h.Age=30";
        using var first = await GetAsync(url);
        Clock.Advance(TimeSpan.FromSeconds(5));

        using var hit = await GetAsync(url);

        Assert.StartsWith("edgeproxy; hit", hit.CacheStatus(), StringComparison.Ordinal);
        Assert.True(hit.Headers.Age >= TimeSpan.FromSeconds(35), $"Age {hit.Headers.Age}");
        Assert.Equal(1, Origin.Counters.For("/age/a"));
    }

    [Fact]
    public async Task Freshness_AgeAboveMaxAge_NotReused()
    {
        using var first = await GetAsync("/age/old?size=10&cc=max-age%3D10&h.Age=15");
        using var second = await GetAsync("/age/old?size=10&cc=max-age%3D10&h.Age=15");
        Assert.Equal(2, Origin.Counters.For("/age/old"));
    }

    [Fact]
    public async Task Freshness_InvalidExpires_IsStale()
    {
        using var first = await GetAsync("/exp/invalid?size=10&expires=0&etag=%22x%22");
        using var second = await GetAsync("/exp/invalid?size=10&expires=0&etag=%22x%22");
        Assert.Contains("fwd=stale", second.CacheStatus(), StringComparison.Ordinal);
        Assert.Equal(2, Origin.Counters.For("/exp/invalid"));
    }

    [Fact]
    public async Task Freshness_SMaxAgeOverridesMaxAge()
    {
        const string url = "/smax/a?size=10&cc=max-age%3D3600,s-maxage%3D5&etag=%22s%22";
        using var first = await GetAsync(url);
        Clock.Advance(TimeSpan.FromSeconds(10));
        using var second = await GetAsync(url);
        Assert.Equal(2, Origin.Counters.For("/smax/a"));
        Assert.Equal("\"s\"", Origin.LastRequestHeaders["/smax/a"]["If-None-Match"].ToString());
    }

    [Fact]
    public async Task Validation_StaleWithETag_IfNoneMatch304_ServesStoredBody()
    {
        const string url = "/rv/etag?size=100&cc=max-age%3D10&etag=%22v1%22";
        using var first = await GetAsync(url);
        Clock.Advance(TimeSpan.FromSeconds(20));
        Origin.Intercept = ctx =>
        {
            // The origin's clock agrees with the cache's (moved) clock, so the 304 restarts the age at 0.
            ctx.Response.Headers.Date = Clock.GetUtcNow().ToString("R", System.Globalization.CultureInfo.InvariantCulture);
            return Task.FromResult(false);
        };

        using var revalidated = await GetAsync(url);

        Assert.Equal(HttpStatusCode.OK, revalidated.StatusCode);
        Assert.Equal(TestOriginServer.ExpectedBody("/rv/etag", 100), await revalidated.Content.ReadAsByteArrayAsync());
        Assert.Contains("fwd=stale; fwd-status=304", revalidated.CacheStatus(), StringComparison.Ordinal);
        Assert.Equal("\"v1\"", Origin.LastRequestHeaders["/rv/etag"]["If-None-Match"].ToString());
        using var hit = await GetAsync(url);
        Assert.StartsWith("edgeproxy; hit", hit.CacheStatus(), StringComparison.Ordinal);
        Assert.Equal(2, Origin.Counters.For("/rv/etag"));
    }

    [Fact]
    public async Task Validation_StaleWithLastModified_IfModifiedSince()
    {
        const string url = "/rv/lm?size=10&cc=max-age%3D10&lm=Mon%2C%2001%20Jan%202024%2000%3A00%3A00%20GMT"; // a fixed date: "seconds ago" moves with the wall clock
        using var first = await GetAsync(url);
        Clock.Advance(TimeSpan.FromSeconds(20));
        using var second = await GetAsync(url);
        Assert.NotEmpty(Origin.LastRequestHeaders["/rv/lm"]["If-Modified-Since"].ToString());
        Assert.Contains("fwd-status=304", second.CacheStatus(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Update304_StoredHeadersReplacedByThe304s()
    {
        const string path = "/rv/update";
        const string url = path + "?size=10&cc=max-age%3D1&etag=%22u%22&h.Test-Header=A";
        Origin.Intercept = ctx =>
        {
            if (ctx.Request.Headers.IfNoneMatch.Count == 0)
            {
                return Task.FromResult(false);
            }

            ctx.Response.StatusCode = 304;
            ctx.Response.Headers.ETag = "\"u\"";
            ctx.Response.Headers.CacheControl = "max-age=3600";
            ctx.Response.Headers["Test-Header"] = "B";
            return Task.FromResult(true);
        };
        using var first = await GetAsync(url);
        Clock.Advance(TimeSpan.FromSeconds(5));

        using var revalidated = await GetAsync(url);
        using var hit = await GetAsync(url);

        Assert.Equal("B", revalidated.Headers.GetValues("Test-Header").Single());
        Assert.Equal("B", hit.Headers.GetValues("Test-Header").Single());
        Assert.StartsWith("edgeproxy; hit", hit.CacheStatus(), StringComparison.Ordinal);
        Assert.Equal(10, (await hit.Content.ReadAsByteArrayAsync()).Length);
        Assert.Equal(2, Origin.Counters.For(path));
    }

    [Fact]
    public async Task Conditional_ClientIfNoneMatch_FreshEntry_304WithETag()
    {
        const string url = "/cond/etag?size=10&cc=max-age%3D60&etag=%22c1%22";
        using var first = await GetAsync(url);
        using var conditional = await GetAsync(url, ("If-None-Match", "\"zz\", \"c1\""));
        Assert.Equal(HttpStatusCode.NotModified, conditional.StatusCode);
        Assert.Equal("\"c1\"", conditional.Headers.ETag!.Tag);
        Assert.Equal(1, Origin.Counters.For("/cond/etag"));
    }

    [Fact]
    public async Task Conditional_IfNoneMatchWinsOverIfModifiedSince()
    {
        const string url = "/cond/both?size=10&cc=max-age%3D60&etag=%22b1%22&lm=1000";
        using var first = await GetAsync(url);
        var future = DateTimeOffset.UtcNow.AddDays(1).ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        using var response = await GetAsync(url, ("If-None-Match", "\"other\""), ("If-Modified-Since", future));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var imsOnly = await GetAsync(url, ("If-Modified-Since", future));
        Assert.Equal(HttpStatusCode.NotModified, imsOnly.StatusCode);
    }

    [Fact]
    public async Task ResponseNoCache_StoredButRevalidatedOnEveryUse()
    {
        const string url = "/nocache/a?size=10&cc=no-cache&etag=%22n%22";
        using var first = await GetAsync(url);
        using var second = await GetAsync(url);
        Assert.Equal(2, Origin.Counters.For("/nocache/a"));
        Assert.Equal("\"n\"", Origin.LastRequestHeaders["/nocache/a"]["If-None-Match"].ToString());
    }

    [Fact]
    public async Task RequestOnlyIfCached_Miss504_Hit200()
    {
        using var miss = await GetAsync("/oic/a?size=10&cc=max-age%3D60", ("Cache-Control", "only-if-cached"));
        Assert.Equal(HttpStatusCode.GatewayTimeout, miss.StatusCode);
        Assert.Equal(0, Origin.Counters.For("/oic/a"));
        using var fill = await GetAsync("/oic/a?size=10&cc=max-age%3D60");
        using var hit = await GetAsync("/oic/a?size=10&cc=max-age%3D60", ("Cache-Control", "only-if-cached"));
        Assert.Equal(HttpStatusCode.OK, hit.StatusCode);
    }

    [Theory]
    [InlineData("Cache-Control", "no-cache")]
    [InlineData("Pragma", "no-cache")]
    [InlineData("Cache-Control", "max-age=0")]
    public async Task RequestDirective_ForcesValidation(string name, string value)
    {
        var url = $"/reqdir/{value.Replace('=', '-')}{name}?size=10&cc=max-age%3D60&etag=%22r%22";
        using var first = await GetAsync(url);
        Clock.Advance(TimeSpan.FromSeconds(1));
        using var second = await GetAsync(url, (name, value));
        Assert.Equal(2, Origin.Counters.For(url[..url.IndexOf('?', StringComparison.Ordinal)]));
    }

    [Fact]
    public async Task RequestNoStore_BypassesTheCache()
    {
        using var first = await GetAsync("/reqdir/nostore?size=10&cc=max-age%3D60");
        using var second = await GetAsync("/reqdir/nostore?size=10&cc=max-age%3D60", ("Cache-Control", "no-store"));
        Assert.Contains("fwd=request", second.CacheStatus(), StringComparison.Ordinal);
        Assert.Equal(2, Origin.Counters.For("/reqdir/nostore"));
    }

    [Fact]
    public async Task StaleWhileRevalidate_ServesStale_OneBackgroundRevalidation()
    {
        const string path = "/swr/a";
        const string url = path + "?size=10&cc=max-age%3D1,stale-while-revalidate%3D600&etag=%22w%22";
        using var first = await GetAsync(url);
        Origin.Intercept = async ctx =>
        {
            await Origin.Gates.WaitAsync("swr", ctx.RequestAborted); // hold the background revalidation
            return false;
        };
        Clock.Advance(TimeSpan.FromSeconds(5));

        using var stale1 = await GetAsync(url);
        using var stale2 = await GetAsync(url);
        await Origin.Gates.WhenReceived(path, 2);

        Assert.Contains("detail=stale-while-revalidate", stale1.CacheStatus(), StringComparison.Ordinal);
        Assert.Contains("detail=stale-while-revalidate", stale2.CacheStatus(), StringComparison.Ordinal);
        Assert.Equal(2, Origin.Counters.For(path));
        Origin.Gates.Release("swr");
    }

    [Fact]
    public async Task StaleIfError_5xxAnswer_ServesStale()
    {
        const string url = "/sie/a?size=10&cc=max-age%3D1,stale-if-error%3D600";
        using var first = await GetAsync(url);
        Clock.Advance(TimeSpan.FromSeconds(5));
        Origin.ForceStatus = 503;

        using var stale = await GetAsync(url);

        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        Assert.Contains("stale-if-error", stale.CacheStatus(), StringComparison.Ordinal);
        Assert.Equal(10, (await stale.Content.ReadAsByteArrayAsync()).Length);
    }

    [Fact]
    public async Task StaleIfError_Elapsed_ErrorPassedOn()
    {
        const string url = "/sie/elapsed?size=10&cc=max-age%3D1,stale-if-error%3D1&etag=%22e%22";
        using var first = await GetAsync(url);
        Clock.Advance(TimeSpan.FromSeconds(10));
        Origin.ForceStatus = 503;
        using var error = await GetAsync(url);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.StatusCode);
    }

    [Fact]
    public async Task Disconnected_OriginResets_ServesStale_UnlessMustRevalidate()
    {
        using var okFirst = await GetAsync("/disc/ok?size=10&cc=max-age%3D2");
        using var mrFirst = await GetAsync("/disc/mr?size=10&cc=max-age%3D2,must-revalidate");
        Origin.Intercept = ctx =>
        {
            ctx.Abort();
            return Task.FromResult(true);
        };
        Clock.Advance(TimeSpan.FromSeconds(10));

        using var stale = await GetAsync("/disc/ok?size=10&cc=max-age%3D2");
        using var refused = await GetAsync("/disc/mr?size=10&cc=max-age%3D2,must-revalidate");

        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        Assert.Contains("fwd=stale", stale.CacheStatus(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadGateway, refused.StatusCode);
    }
}
