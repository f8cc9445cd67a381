using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using EdgeProxy.Caching;
using EdgeProxy.FunctionalTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeProxy.FunctionalTests.Caching;

/// <summary>
/// The hit lane (<see cref="HitLane"/>, EdgeProxy:Transport:HitLane): a request head the cache answered as a plain fresh
/// hit is answered again before Kestrel parses it, with the response the cache gave, for as long as the same entry is
/// stored and fresh; every other request, and any bytes that are not a request's head, go the ordinary way.
/// </summary>
public sealed class HitLaneTests : CachedProxyTest
{
    private const string Cacheable = "cc=max-age%3D600";

    private HitLane Lane => Proxy.App.Services.GetRequiredService<HitLane>();

    protected override void Configure(Dictionary<string, string?> settings)
    {
        settings["ReverseProxy:Routes:nocache:ClusterId"] = "primary";
        settings["ReverseProxy:Routes:nocache:Match:Path"] = "/off/{**rest}";
        settings["EdgeProxy:Caching:Routes:nocache:Enabled"] = "false";
    }

    [Fact]
    public async Task RepeatedHead_IsAnsweredByTheLane_WithTheCachesResponse()
    {
        using var connection = await RawHttpConnection.ConnectAsync(Proxy.ProxyAddress);
        var (target, hit) = await CertifyAsync(connection, "/lane/a", "size=5000");

        var lane = await connection.GetAsync(target);
        Assert.Equal(1, Lane.Served);
        Assert.Equal(hit.Final.StartLine, lane.Final.StartLine);
        Assert.Equal(Fields(hit), Fields(lane));
        Assert.Equal(hit.Body, lane.Body);

        Clock.Advance(TimeSpan.FromSeconds(5));
        var later = await connection.GetAsync(target);
        Assert.Equal(2, Lane.Served);

        // The test's clock is the real one moved 5 s on: a second boundary may pass meanwhile.
        Assert.InRange(Age(later) - Age(hit), 5, 6);
        Assert.InRange(Ttl(later) + Age(later) - (Ttl(hit) + Age(hit)), -1, 1);
        Assert.Equal(1, Origin.Counters.For("/lane/a"));

        var metrics = PrometheusText.Parse(await Proxy.AdminClient.GetStringAsync("/metrics"));
        Assert.Equal(2, Assert.Single(metrics["edgeproxy_hit_lane_requests_total"].Samples).Value);
        Assert.Equal(3, metrics["edgeproxy_requests_total"].Samples.Single(s => s.Labels["cache_result"] == "HIT").Value);
        var lines = Proxy.Logs.Lines.Count(l => l.Category == "EdgeProxy.AccessLog" && l.Message.Contains("/lane/a?size=5000", StringComparison.Ordinal)
            && l.Message.Contains("HIT", StringComparison.Ordinal));
        Assert.Equal(3, lines);
    }

    [Fact]
    public async Task LargeBody_FromTheLane_GoesOutWithSendfile_Intact()
    {
        using var connection = await RawHttpConnection.ConnectAsync(Proxy.ProxyAddress);
        const int size = 300_000;
        var (target, _) = await CertifyAsync(connection, "/lane/big", $"size={size}");
        var statistics = Proxy.App.Services.GetRequiredService<EdgeProxy.Server.ZeroCopyStatistics>();
        var expected = EdgeProxy.TestOrigin.TestOriginServer.ExpectedBody("/lane/big", size);
        for (var i = 0; i < 20 && statistics.SentFileBytes == 0; i++)
        {
            Assert.Equal(expected, (await connection.GetAsync(target)).Body); // the first moves the body to its file, off the request path
        }

        Assert.True(statistics.SentFileBytes > 0, "no hit from the lane went out with sendfile");
        Assert.Equal(expected, (await connection.GetAsync(target)).Body);
        Assert.True(Lane.Served >= 2);
        Assert.Equal(1, Origin.Counters.For("/lane/big"));
    }

    [Fact]
    public async Task PurgedOrStaleEntry_TheLaneStepsAside_AndTheCacheDecides()
    {
        using var connection = await RawHttpConnection.ConnectAsync(Proxy.ProxyAddress);
        var (target, _) = await CertifyAsync(connection, "/lane/gone", "size=100");
        await connection.GetAsync(target);
        Assert.Equal(1, Lane.Served);

        Assert.Equal(1, Proxy.App.Services.GetRequiredService<ICachePurger>().PurgeUrl("http://edge.test" + target));
        var refetched = await connection.GetAsync(target);
        Assert.Equal(2, Origin.Counters.For("/lane/gone"));
        Assert.Equal(1, Lane.Served);
        Assert.Contains("fwd=", refetched.Final.Header("Cache-Status"), StringComparison.Ordinal);

        // The new entry is certified afresh; once it is stale the cache revalidates instead of the lane answering.
        await Proxy.Logs.WaitForAsync(l => l.EventId.Id == 3001 && l.Message.Contains("/lane/gone?", StringComparison.Ordinal) && Origin.Counters.For("/lane/gone") == 2);
        await connection.GetAsync(target);
        await connection.GetAsync(target);
        Assert.Equal(2, Lane.Served);
        Clock.Advance(TimeSpan.FromSeconds(601));
        var stale = await connection.GetAsync(target);
        Assert.Equal(2, Lane.Served);
        Assert.Equal(3, Origin.Counters.For("/lane/gone"));
        Assert.Equal(200, stale.Final.Status);
    }

    [Fact]
    public async Task BodyBytesThatAreACertifiedHead_AreABody_AndPipelinedRequestsStayInOrder()
    {
        using var connection = await RawHttpConnection.ConnectAsync(Proxy.ProxyAddress);
        var (target, hit) = await CertifyAsync(connection, "/lane/p", "size=700");
        var head = $"GET {target} HTTP/1.1\r\nHost: edge.test\r\n\r\n";

        // One write: a head the lane answers, a POST whose body is that head, the head again.
        await connection.SendRawAsync(head + $"POST /lane/post?echo=1 HTTP/1.1\r\nHost: edge.test\r\nContent-Length: {head.Length}\r\n\r\n" + head + head);

        Assert.Equal(hit.Body, (await connection.ReadResponseAsync()).Body);
        var post = await connection.ReadResponseAsync();
        Assert.Equal(200, post.Final.Status);
        var echo = JsonDocument.Parse(post.Body).RootElement;
        Assert.Equal("POST", echo.GetProperty("method").GetString());
        Assert.Equal(head.Length, echo.GetProperty("bodyLength").GetInt32());
        Assert.Equal(Convert.ToHexString(SHA256.HashData(Encoding.ASCII.GetBytes(head))), echo.GetProperty("bodySha256").GetString());
        Assert.Equal(hit.Body, (await connection.ReadResponseAsync()).Body);
        Assert.Equal(1, Origin.Counters.For("/lane/post"));
        Assert.Equal(1, Origin.Counters.For("/lane/p"));
        Assert.True(Lane.Served >= 1);
    }

    [Fact]
    public async Task GetWithABody_IsNeverCertified_SoItsBodyIsNeverReadAsARequest()
    {
        using var connection = await RawHttpConnection.ConnectAsync(Proxy.ProxyAddress);
        var (target, hit) = await CertifyAsync(connection, "/lane/b", "size=200");
        var smuggled = "GET /lane/smuggled?size=10 HTTP/1.1\r\nHost: edge.test\r\n\r\n";
        var withBody = $"GET {target} HTTP/1.1\r\nHost: edge.test\r\nContent-Length: {smuggled.Length}\r\n\r\n{smuggled}";

        // The GET with a body, then a plain one (after which the lane looks at the next head), three times: six answers,
        // all of the cached object. Had the head with the body been certified, the lane would answer its second copy and
        // leave the body to be parsed as a request of its own.
        var plain = $"GET {target} HTTP/1.1\r\nHost: edge.test\r\n\r\n";
        await connection.SendRawAsync(withBody + plain + withBody + plain + withBody + plain);
        for (var i = 0; i < 6; i++)
        {
            Assert.Equal(hit.Body, (await connection.ReadResponseAsync()).Body);
        }

        Assert.Equal(0, Origin.Counters.For("/lane/smuggled"));
        Assert.Equal(1, Lane.Count);
    }

    [Fact]
    public async Task HeadOfARequestTheCacheNeverSaw_IsNotCertifiedForTheNextOne()
    {
        using var connection = await RawHttpConnection.ConnectAsync(Proxy.ProxyAddress);
        var (target, hit) = await CertifyAsync(connection, "/lane/n", "size=400");
        var bypass = "/off/x?size=5&cc=max-age%3D600";

        // A head the lane hands to Kestrel whose request bypasses the cache, then a hit through Kestrel, then the first again.
        Assert.Equal(5, (await connection.GetAsync(bypass)).Body.Length);
        Assert.Equal(hit.Body, (await connection.GetAsync(target)).Body);
        Assert.Equal(5, (await connection.GetAsync(bypass)).Body.Length);
        Assert.Equal(2, Origin.Counters.For("/off/x"));
        Assert.Equal(1, Lane.Count);
    }

    [Fact]
    public async Task OtherHeads_AreNotAnswered_UntilCertifiedThemselves_AndConditionalsNever()
    {
        using var connection = await RawHttpConnection.ConnectAsync(Proxy.ProxyAddress);
        var (target, hit) = await CertifyAsync(connection, "/lane/v", "size=300&etag=auto");

        await connection.SendAsync($"GET {target} HTTP/1.1", null, "X-Other: 1");
        Assert.Equal(hit.Body, (await connection.ReadResponseAsync()).Body);
        Assert.Equal(0, Lane.Served);
        await connection.SendAsync($"GET {target} HTTP/1.1", null, "X-Other: 1");
        Assert.Equal(hit.Body, (await connection.ReadResponseAsync()).Body);
        Assert.Equal(1, Lane.Served);

        var etag = hit.Final.Header("ETag");
        for (var i = 0; i < 3; i++)
        {
            await connection.SendAsync($"GET {target} HTTP/1.1", null, $"If-None-Match: {etag}");
            Assert.Equal(304, (await connection.ReadResponseAsync()).Final.Status);
        }

        Assert.Equal(1, Lane.Served);
        Assert.Equal(2, Lane.Count);
        Assert.Equal(1, Origin.Counters.For("/lane/v"));
    }

    /// <summary>Stores <paramref name="path"/>?<paramref name="query"/> (cacheable for 600 s) and hits it once through Kestrel, which certifies its head.</summary>
    private async Task<(string Target, RawResponse Hit)> CertifyAsync(RawHttpConnection connection, string path, string query)
    {
        var target = $"{path}?{query}&{Cacheable}";
        await connection.GetAsync(target);
        await Proxy.Logs.WaitForAsync(l => l.EventId.Id == 3001 && l.Message.Contains(path + "?", StringComparison.Ordinal));
        var served = Lane.Served;
        var hit = await connection.GetAsync(target);
        Assert.Contains("hit", hit.Final.Header("Cache-Status"), StringComparison.Ordinal);
        Assert.Equal(served, Lane.Served);
        return (target, hit);
    }

    private static int Age(RawResponse response) => int.Parse(response.Final.Header("Age")!, System.Globalization.CultureInfo.InvariantCulture);

    private static int Ttl(RawResponse response) =>
        int.Parse(response.Final.Header("Cache-Status")!.Split("ttl=")[1], System.Globalization.CultureInfo.InvariantCulture);

    private static List<string> Fields(RawResponse response) =>
        response.Final.Fields.Select(f => f.Key.ToLowerInvariant() + ": " + f.Value).Order(StringComparer.Ordinal).ToList();
}

/// <summary>With EdgeProxy:Transport:HitLane=false every hit goes through Kestrel and the cache's middleware.</summary>
public sealed class HitLaneOffTests : CachedProxyTest
{
    protected override void Configure(Dictionary<string, string?> settings) => settings["EdgeProxy:Transport:HitLane"] = "false";

    [Fact]
    public async Task RepeatedHeads_AreAllServedByTheCachesMiddleware()
    {
        var lane = Proxy.App.Services.GetRequiredService<HitLane>();
        Assert.False(lane.Enabled);
        using var connection = await RawHttpConnection.ConnectAsync(Proxy.ProxyAddress);
        var target = "/lane/off?size=100&cc=max-age%3D600";
        await connection.GetAsync(target);
        await Proxy.Logs.WaitForAsync(l => l.EventId.Id == 3001 && l.Message.Contains("/lane/off?", StringComparison.Ordinal));
        for (var i = 0; i < 3; i++)
        {
            Assert.Contains("hit", (await connection.GetAsync(target)).Final.Header("Cache-Status"), StringComparison.Ordinal);
        }

        Assert.Equal(0, lane.Served);
        Assert.Equal(0, lane.Count);
    }
}

/// <summary>A connection the lane keeps busy is not closed as idle by Kestrel's keep-alive timeout; once idle, it is.</summary>
public sealed class HitLaneKeepAliveTests : CachedProxyTest
{
    protected override void Configure(Dictionary<string, string?> settings) => settings["Kestrel:Limits:KeepAliveTimeout"] = "00:00:02";

    [Fact]
    public async Task BusyLaneConnection_OutlivesTheKeepAliveTimeout_AndClosesWhenIdle()
    {
        var lane = Proxy.App.Services.GetRequiredService<HitLane>();
        using var connection = await RawHttpConnection.ConnectAsync(Proxy.ProxyAddress);
        var target = "/lane/ka?size=10&cc=max-age%3D600";
        await connection.GetAsync(target);
        await Proxy.Logs.WaitForAsync(l => l.EventId.Id == 3001 && l.Message.Contains("/lane/ka?", StringComparison.Ordinal));
        await connection.GetAsync(target);

        // 6 s of requests 300 ms apart on one connection, three keep-alive timeouts' worth: the lane answers most of them,
        // and hands Kestrel one now and then so its keep-alive timeout starts over.
        var until = DateTime.UtcNow.AddSeconds(6);
        while (DateTime.UtcNow < until)
        {
            Assert.Equal(200, (await connection.GetAsync(target)).Final.Status);
            await Task.Delay(300);
        }

        Assert.True(lane.Served >= 10, $"the lane answered {lane.Served}");
        Assert.True(await connection.ClosedWithNothingMoreAsync());
    }
}
