using EdgeProxy.FunctionalTests.Infrastructure;
using EdgeProxy.TestOrigin;

namespace EdgeProxy.FunctionalTests.Collapsing;

/// <summary>A body that breaks mid-way is finished with Range + If-Range on its strong ETag: every reader gets it whole.</summary>
public sealed class ResumeTests : ProxiedOriginTest
{
    [Fact]
    public async Task OriginClosesMidBody_StrongETag_ResumedWithRange_EveryReaderWhole_Stored()
    {
        const string path = "/resume/a";
        const int size = 1024 * 1024;
        var url = $"{path}?size={size}&cc=max-age%3D60&etag=%22strong%22&ranges=1&body_gate=resume&gate_after=100000&abort_after=300000&abort_count=1";
        using var client = Proxy.NewClient();
        var readers = new List<(HttpResponseMessage Response, Stream Body, byte[] Prefix)>();
        for (var i = 0; i < 3; i++)
        {
            var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
            var body = await response.Content.ReadAsStreamAsync();
            readers.Add((response, body, await body.ReadExactlyAsync(1000)));
        }

        Origin.Gates.Release("resume");

        var expected = TestOriginServer.ExpectedBody(path, size);
        foreach (var (response, body, prefix) in readers)
        {
            byte[] whole = [.. prefix, .. await body.ReadToEndAsync()];
            Assert.Equal(expected, whole);
            response.Dispose();
        }

        Assert.Equal(2, Origin.Counters.For(path));
        var range = Origin.LastRequestHeaders[path]["Range"].ToString(); // from the bytes that had arrived
        Assert.Matches("^bytes=[0-9]+-$", range);
        Assert.InRange(long.Parse(range[6..^1], System.Globalization.CultureInfo.InvariantCulture), 100000, 300000);
        Assert.Equal("\"strong\"", Origin.LastRequestHeaders[path]["If-Range"].ToString());
        using var next = await client.GetAsync(url);
        Assert.StartsWith("edgeproxy; hit", next.CacheStatus(), StringComparison.Ordinal);
        Assert.Equal(expected, await next.Content.ReadAsByteArrayAsync());
        Assert.Equal(2, Origin.Counters.For(path));
    }

    [Fact]
    public async Task OriginClosesMidBody_ResumeAnsweredWith200_ReadersAborted_NothingStored()
    {
        const string path = "/resume/changed";
        const int size = 512 * 1024;
        // No ranges=1: the origin ignores Range and answers 200, which cannot continue the body.
        var url = $"{path}?size={size}&cc=max-age%3D60&etag=%22strong%22&body_gate=changed&gate_after=100000&abort_after=200000&abort_count=1";
        using var client = Proxy.NewClient();
        using var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        await body.ReadExactlyAsync(1000);
        Origin.Gates.Release("changed");

        await Assert.ThrowsAnyAsync<Exception>(async () => await body.ReadToEndAsync());

        using var next = await client.GetAsync(url);
        Assert.Contains("fwd=uri-miss", next.CacheStatus(), StringComparison.Ordinal);
        Assert.Equal(3, Origin.Counters.For(path));
    }
}
