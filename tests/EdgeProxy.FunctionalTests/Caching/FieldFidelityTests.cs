using System.Net;

namespace EdgeProxy.FunctionalTests.Caching;

/// <summary>
/// RFC 9111 3 and 5: the cache stores and serves the origin's fields as received, and reads them as the
/// RFC says — not as .NET's lenient typed parsers would rewrite them (cases from the HTTP cache-tests).
/// </summary>
public sealed class FieldFidelityTests : CachedProxyTest
{
    [Fact]
    public async Task Store_ContentType_ServedByteForByteOnMissAndHit()
    {
        const string url = "/ct/a?size=10&cc=max-age%3D600&h.Content-Type=text%2Fplain%3Bcharset%3Dutf-8";
        using var miss = await GetAsync(url);
        using var hit = await GetAsync(url);

        Assert.Equal("text/plain;charset=utf-8", string.Join(",", miss.Content.Headers.NonValidated["Content-Type"]));
        Assert.Equal("text/plain;charset=utf-8", string.Join(",", hit.Content.Headers.NonValidated["Content-Type"]));
        Assert.Equal(1, Origin.Counters.For("/ct/a"));
    }

    [Theory]
    [InlineData("Thu, 18  Aug  2050 02:01:18 GMT")] // multiple spaces
    [InlineData("Thu, 18 Aug 2050 02:01:18 UTC")]
    [InlineData("Thu, 18 Aug 2050 2:01:18 GMT")] // one-digit hour
    public async Task Freshness_InvalidExpiresSpellings_AreStale(string expires)
    {
        var url = "/exp/spelling?size=10&h.Expires=" + Uri.EscapeDataString(expires);
        using var first = await GetAsync(url);
        using var second = await GetAsync(url);

        Assert.Equal(expires, string.Join(",", second.Content.Headers.NonValidated["Expires"]));
        Assert.Equal(2, Origin.Counters.For("/exp/spelling"));
    }

    [Fact]
    public async Task Age_ListOnOneLine_FirstMemberCounts()
    {
        const string url = "/age/list?size=10&cc=max-age%3D3600&h.Age=7200%2C%200";
        using var first = await GetAsync(url);
        using var second = await GetAsync(url);
        Assert.Equal(2, Origin.Counters.For("/age/list"));
    }

    [Fact]
    public async Task CdnCacheControl_OneDigitMaxAgeZero_BeatsFutureExpires()
    {
        var expires = DateTimeOffset.UtcNow.AddHours(3).ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        var url = "/cdn/zero?size=10&h.CDN-Cache-Control=max-age%3D0&h.Expires=" + Uri.EscapeDataString(expires);
        using var first = await GetAsync(url);
        using var second = await GetAsync(url);
        Assert.Equal(2, Origin.Counters.For("/cdn/zero"));
    }

    [Fact]
    public async Task ObsTextInOriginField_PassesThroughOnMissAndHit_Not500()
    {
        const string url = "/obs/etag?size=10&cc=max-age%3D600&h.ETag=%22abcdef%C3%BC%22";
        using var miss = await GetAsync(url);
        using var hit = await GetAsync(url);

        Assert.Equal(HttpStatusCode.OK, miss.StatusCode);
        Assert.Equal(HttpStatusCode.OK, hit.StatusCode);
        Assert.Equal("\"abcdefü\"", string.Join(",", hit.Headers.NonValidated["ETag"]));
        Assert.Equal(1, Origin.Counters.For("/obs/etag"));
    }
}
