using EdgeProxy.Caching;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace EdgeProxy.Tests.Caching;

/// <summary>RFC 9111 rules, one test per rule, named after it.</summary>
public sealed class CachePolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private static HeaderDictionary Headers(params (string Name, string Value)[] headers)
    {
        var result = new HeaderDictionary();
        foreach (var (name, value) in headers)
        {
            result.Append(name, value);
        }

        return result;
    }

    private static string Http(DateTimeOffset at) => at.ToString("R", System.Globalization.CultureInfo.InvariantCulture);

    private static long Lifetime(int status, HeaderDictionary headers)
    {
        var fixture = TestOptions.Policy();
        return fixture.Policy.FreshnessLifetime(status, headers, fixture.Policy.ResponseDirectives(headers), Now.UtcTicks) / TimeSpan.TicksPerSecond;
    }

    private static string? NotStored(int status, HeaderDictionary headers, bool authorization = false, Action<EdgeProxy.Configuration.EdgeProxyOptions>? configure = null)
    {
        var fixture = TestOptions.Policy(configure);
        return fixture.Policy.NotStorableReason(status, headers, fixture.Policy.ResponseDirectives(headers), authorization, false, null);
    }

    [Fact]
    public void Freshness_SMaxAgeOverridesMaxAge() =>
        Assert.Equal(1, Lifetime(200, Headers(("Cache-Control", "max-age=3600, s-maxage=1"))));

    [Fact]
    public void Freshness_MaxAgeOverridesExpires() =>
        Assert.Equal(3600, Lifetime(200, Headers(("Cache-Control", "max-age=3600"), ("Expires", Http(Now.AddSeconds(-10000))), ("Date", Http(Now)))));

    [Fact]
    public void Freshness_ExpiresMinusDate() =>
        Assert.Equal(300, Lifetime(200, Headers(("Expires", Http(Now.AddSeconds(400))), ("Date", Http(Now.AddSeconds(100))))));

    [Fact]
    public void Freshness_ExpiresOlderThanDate_IsStale() =>
        Assert.Equal(0, Lifetime(200, Headers(("Expires", Http(Now.AddSeconds(300))), ("Date", Http(Now.AddSeconds(400))))));

    [Theory]
    [InlineData("0")]
    [InlineData("Thu, 18 Aug 2050 02:01:18 UTC")]
    public void Freshness_InvalidExpires_IsAlreadyExpired(string expires) =>
        Assert.Equal(0, Lifetime(200, Headers(("Expires", expires), ("Date", Http(Now)))));

    [Fact]
    public void Freshness_Heuristic_FractionOfLastModifiedAge() =>
        Assert.Equal(8640, Lifetime(200, Headers(("Last-Modified", Http(Now.AddDays(-1))), ("Date", Http(Now)))));

    [Fact]
    public void Freshness_Heuristic_Capped() =>
        Assert.Equal(86400, Lifetime(200, Headers(("Last-Modified", Http(Now.AddDays(-1000))), ("Date", Http(Now)))));

    [Theory]
    [InlineData(201)]
    [InlineData(403)]
    [InlineData(502)]
    [InlineData(503)]
    public void Freshness_HeuristicOnlyOnHeuristicallyCacheableStatuses(int status)
    {
        Assert.Equal(0, Lifetime(status, Headers(("Last-Modified", Http(Now.AddDays(-1))), ("Date", Http(Now)))));
        Assert.Equal("no-freshness", NotStored(status, Headers(("Last-Modified", Http(Now.AddDays(-1))))));
    }

    [Fact]
    public void Freshness_PublicAllowsHeuristicOnAnyStatus() =>
        Assert.Equal(8640, Lifetime(599, Headers(("Cache-Control", "public"), ("Last-Modified", Http(Now.AddDays(-1))), ("Date", Http(Now)))));

    [Fact]
    public void Freshness_CdnCacheControlOverridesCacheControl() =>
        Assert.Equal(3600, Lifetime(200, Headers(("Cache-Control", "max-age=1"), ("CDN-Cache-Control", "max-age=3600"))));

    [Fact]
    public void Freshness_InvalidCdnCacheControl_FallsBackToCacheControl() =>
        Assert.Equal("no-store", NotStored(200, Headers(("Cache-Control", "no-store"), ("CDN-Cache-Control", "max-age=10000, &&&&&"))));

    [Fact]
    public void Freshness_SurrogateControlOffByDefault() =>
        Assert.Equal(5, Lifetime(200, Headers(("Cache-Control", "max-age=5"), ("Surrogate-Control", "max-age=3600"))));

    [Fact]
    public void Age_CorrectedInitialAge_UsesUpstreamAgeAndResponseDelay()
    {
        var headers = Headers(("Age", "15"), ("Date", Http(Now)));
        var age = CachePolicy.CorrectedInitialAge(headers, Now.AddSeconds(-2).UtcTicks, Now.UtcTicks);
        Assert.Equal(17, age / TimeSpan.TicksPerSecond);
    }

    [Fact]
    public void Age_CorrectedInitialAge_ApparentAgeFromDate()
    {
        var headers = Headers(("Date", Http(Now.AddSeconds(-30))));
        Assert.Equal(30, CachePolicy.CorrectedInitialAge(headers, Now.UtcTicks, Now.UtcTicks) / TimeSpan.TicksPerSecond);
    }

    [Fact]
    public void Age_InvalidAgeHeader_Ignored() =>
        Assert.Equal(0, CachePolicy.CorrectedInitialAge(Headers(("Age", "abc")), Now.UtcTicks, Now.UtcTicks));

    [Theory]
    [InlineData("no-store", "no-store")]
    [InlineData("private, max-age=60", "private")]
    [InlineData("max-age=60, No-StOrE", "no-store")]
    public void Store_ForbiddenByResponseDirective(string cc, string reason) =>
        Assert.Equal(reason, NotStored(200, Headers(("Cache-Control", cc))));

    [Fact]
    public void Store_MustUnderstandOverridesNoStoreForUnderstoodStatus() =>
        Assert.Null(NotStored(200, Headers(("Cache-Control", "max-age=60, no-store, must-understand"))));

    [Theory]
    [InlineData("max-age=60", "authorization")]
    [InlineData("max-age=60, public", null)]
    [InlineData("s-maxage=60", null)]
    [InlineData("max-age=60, must-revalidate", null)]
    public void Store_AuthorizationRequest_OnlyWithPublicSMaxAgeOrMustRevalidate(string cc, string? reason) =>
        Assert.Equal(reason, NotStored(200, Headers(("Cache-Control", cc)), authorization: true));

    [Fact]
    public void Store_SetCookie_NotStoredUnlessStripped()
    {
        var headers = Headers(("Cache-Control", "max-age=60"), ("Set-Cookie", "a=b"));
        Assert.Equal("set-cookie", NotStored(200, headers));
        Assert.Null(NotStored(200, headers, configure: o => o.Caching.StripSetCookie = true));
    }

    [Fact]
    public void Store_VaryStar_NeverStored() =>
        Assert.Equal("vary-star", NotStored(200, Headers(("Cache-Control", "max-age=60"), ("Vary", "Foo, *"))));

    [Fact]
    public void Store_TooLarge_NotStored() =>
        Assert.Equal("too-large", NotStored(200, Headers(("Cache-Control", "max-age=60"), ("Content-Length", "100")), configure: o => o.Caching.MaxObjectSizeBytes = 99));

    [Theory]
    [InlineData(206)]
    [InlineData(304)]
    public void Store_PartialAndNotModified_NotStoredAsNew(int status) =>
        Assert.Equal("status", NotStored(status, Headers(("Cache-Control", "max-age=60"))));

    [Fact]
    public void Store_StoredHeaders_OmitFieldsListedInQualifiedNoCacheAndAge()
    {
        var headers = new KeyValuePair<string, StringValues>[] { new("a", "1"), new("b", "2"), new("Age", "5"), new("Connection", "close") };
        var stored = CachePolicy.StoredHeaders(headers, CacheControl.Parse("no-cache=\"a\""), 10, 200);
        Assert.DoesNotContain(stored, h => h.Key is "a" or "Age" or "Connection");
        Assert.Contains(stored, h => h.Key == "b");
        Assert.Contains(stored, h => h.Key == "Content-Length" && h.Value == "10");
    }

    [Fact]
    public void Update304_ReplacesStoredFieldsButNotContentLength()
    {
        var fixture = TestOptions.Policy();
        var old = fixture.Policy.CreateEntry("http://a/x", 200, [new("Test-Header", "A"), new("Cache-Control", "max-age=1"), new("ETag", "\"e\"")],
            CacheControl.Parse("max-age=1"), new byte[] { 1, 2, 3 }, [], "", TimeSpan.TicksPerSecond, 0, Now.AddSeconds(-10).UtcTicks, null);
        var refreshed = fixture.Policy.Refresh(old, Headers(("Test-Header", "B"), ("Cache-Control", "max-age=3600"), ("Content-Length", "0")), Now.UtcTicks, Now.UtcTicks, null, null);
        Assert.Equal("B", CachePolicy.Get(refreshed.Headers, "Test-Header").ToString());
        Assert.Equal("3", CachePolicy.Get(refreshed.Headers, "Content-Length").ToString());
        Assert.Equal(3600 * TimeSpan.TicksPerSecond, refreshed.FreshnessLifetime);
        Assert.Equal(3, refreshed.Body.Length);
        Assert.Equal(Now.UtcTicks, refreshed.ResponseTime);
    }

    [Fact]
    public void Update304_TtlCapFromEscalationApplies()
    {
        var fixture = TestOptions.Policy();
        var old = fixture.Policy.CreateEntry("http://a/x", 200, [new("ETag", "\"e\"")], CacheControl.Empty, Array.Empty<byte>(), [], "", 0, 0, Now.UtcTicks, null);
        var refreshed = fixture.Policy.Refresh(old, Headers(("Cache-Control", "max-age=3600")), Now.UtcTicks, Now.UtcTicks, TimeSpan.FromSeconds(10), null);
        Assert.Equal(10 * TimeSpan.TicksPerSecond, refreshed.FreshnessLifetime);
    }
}
