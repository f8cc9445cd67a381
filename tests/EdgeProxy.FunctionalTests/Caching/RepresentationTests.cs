using System.Net;
using System.Net.Http.Headers;
using System.Text;
using EdgeProxy.FunctionalTests.Infrastructure;
using EdgeProxy.TestOrigin;

namespace EdgeProxy.FunctionalTests.Caching;

/// <summary>HEAD, Range (RFC 9110 14), Vary (RFC 9111 4.1), CDN-Cache-Control (RFC 9213), Cache-Status (RFC 9211).</summary>
public sealed class RepresentationTests : CachedProxyTest
{
    private const string RangeUrl = "/range/a?size=1000&cc=max-age%3D60&etag=%22r1%22";

    private static readonly byte[] RangeBody = TestOriginServer.ExpectedBody("/range/a", 1000);

    [Fact]
    public async Task Head_AnsweredFromStoredGet()
    {
        using var get = await GetAsync("/head/a?size=123&cc=max-age%3D60");
        using var request = new HttpRequestMessage(HttpMethod.Head, "/head/a?size=123&cc=max-age%3D60");
        using var head = await Proxy.Client.SendAsync(request);
        Assert.StartsWith("edgeproxy; hit", head.CacheStatus(), StringComparison.Ordinal);
        Assert.Equal(123, head.Content.Headers.ContentLength);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        Assert.Equal(1, Origin.Counters.For("/head/a"));
    }

    [Fact]
    public async Task Head_Miss_FillsTheGetOnce()
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, "/head/miss?size=50&cc=max-age%3D60");
        using var head = await Proxy.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        await Proxy.Logs.WaitForAsync(l => l.EventId.Id == 3001 && l.Message.Contains("/head/miss", StringComparison.Ordinal));
        using var get = await GetAsync("/head/miss?size=50&cc=max-age%3D60");
        Assert.StartsWith("edgeproxy; hit", get.CacheStatus(), StringComparison.Ordinal);
        Assert.Equal(TestOriginServer.ExpectedBody("/head/miss", 50), await get.Content.ReadAsByteArrayAsync());
        Assert.Equal(1, Origin.Counters.For("/head/miss"));
    }

    [Fact]
    public async Task Range_SingleRangeFromStoredObject_206()
    {
        using var fill = await GetAsync(RangeUrl);
        using var response = await GetAsync(RangeUrl, ("Range", "bytes=10-19"));
        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal("bytes 10-19/1000", response.Content.Headers.ContentRange!.ToString());
        Assert.Equal(RangeBody[10..20], await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(1, Origin.Counters.For("/range/a"));
    }

    [Fact]
    public async Task Range_SuffixAndOpenEnded()
    {
        using var fill = await GetAsync(RangeUrl);
        using var suffix = await GetAsync(RangeUrl, ("Range", "bytes=-5"));
        using var open = await GetAsync(RangeUrl, ("Range", "bytes=995-"));
        Assert.Equal(RangeBody[995..], await suffix.Content.ReadAsByteArrayAsync());
        Assert.Equal(RangeBody[995..], await open.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Range_MultipleRanges_MultipartByteranges()
    {
        using var fill = await GetAsync(RangeUrl);
        using var response = await GetAsync(RangeUrl, ("Range", "bytes=0-1, 5-6"));
        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal("multipart/byteranges", response.Content.Headers.ContentType!.MediaType);
        var text = Encoding.ASCII.GetString(await response.Content.ReadAsByteArrayAsync());
        Assert.Contains("Content-Range: bytes 0-1/1000", text, StringComparison.Ordinal);
        Assert.Contains("Content-Range: bytes 5-6/1000", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Range_Unsatisfiable_416()
    {
        using var fill = await GetAsync(RangeUrl);
        using var response = await GetAsync(RangeUrl, ("Range", "bytes=5000-6000"));
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, response.StatusCode);
        Assert.Equal("bytes */1000", response.Content.Headers.ContentRange!.ToString());
    }

    [Fact]
    public async Task Range_IfRangeMismatch_WholeObject200()
    {
        using var fill = await GetAsync(RangeUrl);
        using var mismatch = await GetAsync(RangeUrl, ("Range", "bytes=0-9"), ("If-Range", "\"other\""));
        using var match = await GetAsync(RangeUrl, ("Range", "bytes=0-9"), ("If-Range", "\"r1\""));
        Assert.Equal(HttpStatusCode.OK, mismatch.StatusCode);
        Assert.Equal(1000, (await mismatch.Content.ReadAsByteArrayAsync()).Length);
        Assert.Equal(HttpStatusCode.PartialContent, match.StatusCode);
    }

    [Fact]
    public async Task Range_Miss_FillsWholeObjectOnceAndAnswersTheRange()
    {
        using var response = await GetAsync(RangeUrl, ("Range", "bytes=100-199"));
        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(RangeBody[100..200], await response.Content.ReadAsByteArrayAsync());
        Assert.False(Origin.LastRequestHeaders["/range/a"].ContainsKey("Range"));

        // The range's answer can end before the fill has stored the object (a request meanwhile joins the fill).
        await Proxy.Logs.WaitForAsync(l => l.EventId.Id == 3001 && l.Message.Contains("/range/a", StringComparison.Ordinal));
        using var whole = await GetAsync(RangeUrl);
        Assert.StartsWith("edgeproxy; hit", whole.CacheStatus(), StringComparison.Ordinal);
        Assert.Equal(1, Origin.Counters.For("/range/a"));
    }

    [Fact]
    public async Task Vary_OneVariantPerSelectingHeaderValue()
    {
        const string url = "/vary/a?size=10&cc=max-age%3D60&vary=Foo";
        using var one = await GetAsync(url, ("Foo", "1"));
        using var two = await GetAsync(url, ("Foo", "2"));
        using var oneAgain = await GetAsync(url, ("Foo", "1"));
        using var twoSpaced = await GetAsync(url, ("Foo", " 2 "));
        using var none = await GetAsync(url);
        Assert.Contains("fwd=vary-miss", two.CacheStatus(), StringComparison.Ordinal);
        Assert.StartsWith("edgeproxy; hit", oneAgain.CacheStatus(), StringComparison.Ordinal);
        Assert.StartsWith("edgeproxy; hit", twoSpaced.CacheStatus(), StringComparison.Ordinal);
        Assert.Contains("fwd=vary-miss", none.CacheStatus(), StringComparison.Ordinal);
        Assert.Equal(3, Origin.Counters.For("/vary/a"));
    }

    [Fact]
    public async Task Vary_Star_NeverServedFromCache()
    {
        using var first = await GetAsync("/vary/star?size=10&cc=max-age%3D60&vary=*");
        using var second = await GetAsync("/vary/star?size=10&cc=max-age%3D60&vary=*");
        Assert.Contains("detail=vary-star", first.CacheStatus(), StringComparison.Ordinal);
        Assert.Equal(2, Origin.Counters.For("/vary/star"));
    }

    [Fact]
    public async Task CdnCacheControl_OverridesCacheControl_AndIsPassedOn()
    {
        const string url = "/cdn/a?size=10&cc=no-store&h.CDN-Cache-Control=max-age%3D60";
        using var first = await GetAsync(url);
        using var second = await GetAsync(url);
        Assert.StartsWith("edgeproxy; hit", second.CacheStatus(), StringComparison.Ordinal);
        Assert.Equal("max-age=60", second.Headers.GetValues("CDN-Cache-Control").Single());
        Assert.Equal(1, Origin.Counters.For("/cdn/a"));
    }

    [Fact]
    public async Task CdnCacheControl_NoStore_OverridesCacheControlMaxAge()
    {
        const string url = "/cdn/nostore?size=10&cc=max-age%3D60&h.CDN-Cache-Control=no-store";
        using var first = await GetAsync(url);
        using var second = await GetAsync(url);
        Assert.Equal(2, Origin.Counters.For("/cdn/nostore"));
    }

    [Fact]
    public async Task CacheStatus_OnEveryResponse_MethodAndMissAndHit()
    {
        using var post = new HttpRequestMessage(HttpMethod.Post, "/cs/a?echo=1") { Content = new StringContent("x") };
        using var posted = await Proxy.Client.SendAsync(post);
        using var miss = await GetAsync("/cs/a?size=1&cc=max-age%3D60");
        using var hit = await GetAsync("/cs/a?size=1&cc=max-age%3D60");
        Assert.Equal("edgeproxy; fwd=method", posted.CacheStatus());
        Assert.Matches("^edgeproxy; fwd=uri-miss; fwd-status=200; stored; ttl=[0-9]+$", miss.CacheStatus());
        Assert.Matches("^edgeproxy; hit; ttl=[0-9]+$", hit.CacheStatus());
        var line = await Proxy.Logs.WaitForAsync(l => l.Category == "EdgeProxy.AccessLog" && "HIT".Equals(l.Property("CacheResult")));
        Assert.Equal(hit.CacheStatus(), line.Property("CacheStatus"));
    }

    [Fact]
    public async Task CacheStatus_UpstreamEntryKeptFirst()
    {
        using var miss = await GetAsync("/cs/up?size=1&cc=max-age%3D60&h.Cache-Status=upstream%3B%20hit");
        using var hit = await GetAsync("/cs/up?size=1&cc=max-age%3D60&h.Cache-Status=upstream%3B%20hit");
        Assert.Matches("^upstream; hit, edgeproxy; hit; ttl=[0-9]+$", hit.CacheStatus());
    }

    [Fact]
    public async Task MediaType_HeadersPreservedOnHit()
    {
        using var miss = await GetAsync("/mt/a?size=1&cc=max-age%3D60&h.X-Frame-Options=deny");
        using var hit = await GetAsync("/mt/a?size=1&cc=max-age%3D60&h.X-Frame-Options=deny");
        Assert.Equal("deny", hit.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal(new MediaTypeHeaderValue("application/octet-stream"), hit.Content.Headers.ContentType);
    }
}
