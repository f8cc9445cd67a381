using EdgeProxy.FunctionalTests.Infrastructure;
using EdgeProxy.TestOrigin;

namespace EdgeProxy.FunctionalTests.Collapsing;

/// <summary>A Range request on a running fill gets its range as soon as those bytes arrive.</summary>
public sealed class RangeOnFillTests : ProxiedOriginTest
{
    [Fact]
    public async Task RangeRequest_JoinsTheGetFill_GetsItsBytesBeforeTheFillEnds()
    {
        const string path = "/rangefill/a";
        const int size = 1024 * 1024;
        var url = $"{path}?size={size}&cc=max-age%3D60&body_gate=rf&gate_after=200000";
        using var client = Proxy.NewClient();
        using var whole = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
        await Origin.Gates.WhenBodyBytesSent(path, 200000);

        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(1000, 1999);
        using var partial = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        await using var partialBody = await partial.Content.ReadAsStreamAsync();
        var bytes = await partialBody.ReadToEndAsync(); // completes while the origin is still parked at 200,000 bytes

        Assert.Equal(System.Net.HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal($"bytes 1000-1999/{size}", partial.Content.Headers.ContentRange!.ToString());
        Assert.Equal(TestOriginServer.ExpectedBody(path, size)[1000..2000], bytes);
        Assert.Equal(1, Origin.Counters.For(path));
        Origin.Gates.Release("rf");
        Assert.Equal(size, (await whole.Content.ReadAsByteArrayAsync()).Length);
    }
}
