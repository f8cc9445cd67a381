using System.Net;
using EdgeProxy.FunctionalTests.Infrastructure;
using EdgeProxy.TestOrigin;

namespace EdgeProxy.FunctionalTests.Caching;

public sealed class CachingTests : ProxiedOriginTest
{
    private static string CacheStatus(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Cache-Status", out var values) ? string.Join(", ", values) : "";

    [Fact]
    public async Task Store_FreshResponse_SecondRequestIsHitWithAgeAndCacheStatus()
    {
        const string url = "/c/fresh?size=5000&cc=max-age%3D60";
        using var first = await Proxy.Client.GetAsync(url);
        Assert.Equal(TestOriginServer.ExpectedBody("/c/fresh", 5000), await first.Content.ReadAsByteArrayAsync());
        Assert.Contains("fwd=uri-miss", CacheStatus(first), StringComparison.Ordinal);
        Assert.Contains("stored", CacheStatus(first), StringComparison.Ordinal);

        using var second = await Proxy.Client.GetAsync(url);

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(TestOriginServer.ExpectedBody("/c/fresh", 5000), await second.Content.ReadAsByteArrayAsync());
        Assert.StartsWith("edgeproxy; hit", CacheStatus(second), StringComparison.Ordinal);
        Assert.NotNull(second.Headers.Age);
        Assert.Equal(5000, second.Content.Headers.ContentLength);
        Assert.Equal(1, Origin.Counters.For("/c/fresh"));
        var line = await Proxy.Logs.WaitForAccessLogAsync("/c/fresh?size=5000");
        Assert.NotNull(line);
    }

    [Theory]
    [InlineData("no-store", "no-store")]
    [InlineData("private,max-age%3D60", "private")]
    public async Task Store_ResponseDirectiveForbids_NotStoredWithDetail(string cc, string detail)
    {
        var url = $"/c/forbid-{detail}?size=10&cc={cc}";
        using var first = await Proxy.Client.GetAsync(url);
        Assert.Contains("detail=" + detail, CacheStatus(first), StringComparison.Ordinal);
        using var second = await Proxy.Client.GetAsync(url);
        Assert.Equal(2, Origin.Counters.For($"/c/forbid-{detail}"));
    }
}
