using EdgeProxy.FunctionalTests.Infrastructure;

namespace EdgeProxy.FunctionalTests.Origins;

/// <summary>
/// RFC 9110 15.2: a proxy MUST forward 1xx responses unless it requested them itself, and MUST NOT send them to an
/// HTTP/1.0 client; RFC 9111 3: only final responses are stored. A raw-TCP origin sends the 1xx (Kestrel cannot) and
/// a raw-TCP client reads them (HttpClient drops them).
/// </summary>
public sealed class InterimResponseTests : IAsyncLifetime
{
    private InterimOrigin Origin { get; set; } = null!;

    private ProxyInstance Proxy { get; set; } = null!;

    public async Task InitializeAsync()
    {
        Origin = new InterimOrigin();
        Proxy = await ProxyInstance.StartAsync(ProxySettings.TwoOrigins(Origin.Address));
    }

    public async Task DisposeAsync()
    {
        await Proxy.DisposeAsync();
        await Origin.DisposeAsync();
    }

    private Task<RawHttpConnection> ConnectAsync() => RawHttpConnection.ConnectAsync(Proxy.ProxyAddress);

    /// <summary>The fill of <paramref name="path"/> has stored its object (a client can have the whole body a moment before).</summary>
    private Task<LogLine> StoredAsync(string path) => Proxy.Logs.WaitForAsync(l => l.EventId.Id == 3001 && l.Message.Contains(path + "?", StringComparison.Ordinal));

    [Fact]
    public async Task Rfc9110_Proxy_Forwards103_FinalIsCached_HitHasNoInterimAndNoInterimFields()
    {
        using var first = await ConnectAsync();
        var miss = await first.GetAsync("/early?i=103");

        var early = Assert.Single(miss.Interim);
        Assert.Equal("HTTP/1.1 103 Early Hints", early.StartLine);
        Assert.Equal("</styles.css>; rel=preload; as=style", early.Header("Link"));
        Assert.Equal("a", early.Header("X-My-Header"));
        Assert.Null(early.Header("X-Hop")); // named by Connection: hop-by-hop
        Assert.Null(early.Header("Connection"));
        Assert.Equal(200, miss.Final.Status);
        Assert.Contains("stored", miss.Final.Header("Cache-Status"), StringComparison.Ordinal);
        Assert.Null(miss.Final.Header("X-My-Header"));
        Assert.Equal("abcde", miss.BodyText);

        await StoredAsync("/early");
        using var second = await ConnectAsync();
        var hit = await second.GetAsync("/early?i=103");
        Assert.Empty(hit.Interim);
        Assert.StartsWith("edgeproxy; hit", hit.Final.Header("Cache-Status"), StringComparison.Ordinal);
        Assert.Null(hit.Final.Header("X-My-Header"));
        Assert.Null(hit.Final.Header("Link"));
        Assert.Equal("abcde", hit.BodyText);
        Assert.Equal(1, Origin.Count("/early"));
    }

    [Fact]
    public async Task Rfc9110_Proxy_Forwards102_FinalIsCached()
    {
        using var client = await ConnectAsync();
        var miss = await client.GetAsync("/processing?i=102");
        Assert.Equal("HTTP/1.1 102 Processing", Assert.Single(miss.Interim).StartLine);
        Assert.Equal(200, miss.Final.Status);

        await StoredAsync("/processing");
        var hit = await client.GetAsync("/processing?i=102");
        Assert.Empty(hit.Interim);
        Assert.StartsWith("edgeproxy; hit", hit.Final.Header("Cache-Status"), StringComparison.Ordinal);
        Assert.Equal(1, Origin.Count("/processing"));
    }

    [Fact]
    public async Task Rfc9110_TwoInterimResponses_BothForwardedInOrder()
    {
        using var client = await ConnectAsync();
        var response = await client.GetAsync("/two?i=102,103");
        Assert.Equal([102, 103], response.Interim.Select(h => h.Status));
        Assert.Equal(200, response.Final.Status);
        Assert.Equal("abcde", response.BodyText);
    }

    [Fact]
    public async Task Rfc9110_InterimHeadArrivingOneByteAtATime_IsForwardedWhole()
    {
        using var client = await ConnectAsync();
        var response = await client.GetAsync("/split?i=103,102&bytewise=1");
        Assert.Equal([103, 102], response.Interim.Select(h => h.Status));
        Assert.Equal("</styles.css>; rel=preload; as=style", response.Interim[0].Header("Link"));
        Assert.Equal(200, response.Final.Status);
        Assert.Equal("abcde", response.BodyText);
    }

    [Fact]
    public async Task Rfc9110_Http10Client_IsNotSentInterimResponses()
    {
        using var client = await ConnectAsync();
        var response = await client.GetAsync("/old?i=103", "HTTP/1.0");
        Assert.Empty(response.Interim);
        Assert.Equal(200, response.Final.Status);
        Assert.Equal("abcde", response.BodyText);
        Assert.Equal(1, Origin.Count("/old"));
    }

    [Fact]
    public async Task Rfc9110_RequestWithBody_GetsTheFinalResponseOnly_Kestrel100ContinueNeverRaced()
    {
        using var client = await ConnectAsync();
        await client.SendAsync("POST /upload?i=103&cc=no-store HTTP/1.1", "payload");
        var response = await client.ReadResponseAsync();
        Assert.Empty(response.Interim);
        Assert.Equal(200, response.Final.Status);
        Assert.Equal("abcde", response.BodyText);
        Assert.Equal("POST", Origin.LastMethod("/upload"));

        var next = await client.GetAsync("/after-upload?i=103"); // the connection is still clean
        Assert.Equal(103, Assert.Single(next.Interim).Status);
        Assert.Equal("abcde", next.BodyText);
    }

    [Fact]
    public async Task KeepAlive_EachResponseGetsItsOwnInterim_AndTheConnectionStaysClean()
    {
        using var client = await ConnectAsync();
        var a = await client.GetAsync("/ka/a?i=103");
        var b = await client.GetAsync("/ka/b?i=102&cc=private");
        await StoredAsync("/ka/a");
        var c = await client.GetAsync("/ka/a?i=103");
        var d = await client.GetAsync("/ka/c?size=3");

        Assert.Equal(103, Assert.Single(a.Interim).Status);
        Assert.Equal(102, Assert.Single(b.Interim).Status);
        Assert.Empty(c.Interim);
        Assert.StartsWith("edgeproxy; hit", c.Final.Header("Cache-Status"), StringComparison.Ordinal);
        Assert.Empty(d.Interim);
        Assert.Equal(["abcde", "abcde", "abcde", "abc"], new[] { a, b, c, d }.Select(r => r.BodyText));
        Assert.All(new[] { a, b, c, d }, r => Assert.Equal(200, r.Final.Status));
    }

    [Fact]
    public async Task Rfc9110_UncacheableResponse_103StillForwarded_OnTheFillAndOnDirectForwarding()
    {
        using var client = await ConnectAsync();
        var fill = await client.GetAsync("/private?i=103&cc=private");
        var direct = await client.GetAsync("/private?i=103&cc=private"); // hit-for-miss: straight through forwarding

        Assert.Equal(103, Assert.Single(fill.Interim).Status);
        Assert.Equal(103, Assert.Single(direct.Interim).Status);
        Assert.Contains("hit-for-miss", direct.Final.Header("Cache-Status"), StringComparison.Ordinal);
        Assert.Equal("</styles.css>; rel=preload; as=style", direct.Interim[0].Header("Link"));
        Assert.Equal(2, Origin.Count("/private"));
    }

    [Fact]
    public async Task CollapsedWaiter_GetsTheFinalResponseOnly_StarterGetsThe103()
    {
        using var starter = await ConnectAsync();
        using var waiter = await ConnectAsync();
        await starter.SendAsync("GET /herd?i=103&hold=herd HTTP/1.1");
        await Proxy.Logs.WaitForAsync(l => l.EventId.Id == 2010); // the starter's 103 went out; the origin holds the final
        await waiter.SendAsync("GET /herd?i=103&hold=herd HTTP/1.1");
        await Proxy.Logs.WaitForAsync(l => l.EventId.Id == 3112); // joined the fill as a waiter
        Origin.Release("herd");

        var first = await starter.ReadResponseAsync();
        var second = await waiter.ReadResponseAsync();
        Assert.Equal(103, Assert.Single(first.Interim).Status);
        Assert.Empty(second.Interim);
        Assert.Equal("abcde", first.BodyText);
        Assert.Equal("abcde", second.BodyText);
        Assert.Contains("collapsed", second.Final.Header("Cache-Status"), StringComparison.Ordinal);
        Assert.Equal(1, Origin.Count("/herd"));
    }

    [Fact]
    public async Task FillOutlivingItsStartersResponseStart_ResumeRequests103_NeverReachesTheStartersConnection()
    {
        const int size = 200_000;
        using var client = await ConnectAsync();

        // The origin closes the first response after 50000 bytes; the fill resumes with a Range request that the
        // origin answers with a 103 and a 206 while the starter's 200 is already being sent.
        var response = await client.GetAsync($"/resume?i=103&size={size}&abort_after=50000");
        Assert.Equal(103, Assert.Single(response.Interim).Status);
        Assert.Equal(200, response.Final.Status);
        Assert.Equal(size, response.Body.Length);
        Assert.True(response.Body.Select((b, i) => b == InterimOrigin.BodyByte(i)).All(ok => ok), "body bytes in order, no interim head inside");
        Assert.Equal(2, Origin.Count("/resume"));

        var next = await client.GetAsync("/resume/next?size=3"); // the same connection's next response is clean
        Assert.Empty(next.Interim);
        Assert.Equal(200, next.Final.Status);
        Assert.Equal("abc", next.BodyText);
        Assert.Contains(Proxy.Logs.Lines, l => l.EventId.Id == 2011 && l.Message.Contains("103", StringComparison.Ordinal)); // the resume's 103 arrived, went nowhere
    }

    [Fact]
    public async Task StarterLeavesBeforeTheOrigins103_FillGoesOn_The103GoesNowhere_FinalStored()
    {
        using (var starter = await ConnectAsync())
        {
            await starter.SendAsync("GET /gone?hold=gone&late=103 HTTP/1.1");
            await Origin.Received("/gone");
        }

        await Proxy.Logs.WaitForAccessLogAsync("/gone"); // the starter's request has ended
        Origin.Release("gone");
        await Proxy.Logs.WaitForAsync(l => l.EventId.Id == 2011 && l.Message.Contains("103", StringComparison.Ordinal));
        await StoredAsync("/gone");

        using var next = await ConnectAsync();
        var hit = await next.GetAsync("/gone?hold=gone&late=103");
        Assert.Empty(hit.Interim);
        Assert.StartsWith("edgeproxy; hit", hit.Final.Header("Cache-Status"), StringComparison.Ordinal);
        Assert.Equal("abcde", hit.BodyText);
        Assert.Equal(1, Origin.Count("/gone"));
    }

    [Fact]
    public async Task Metrics_RelayedInterimResponses_CountedByStatus()
    {
        using var client = await ConnectAsync();
        await client.GetAsync("/metrics/a?i=103");
        await client.GetAsync("/metrics/b?i=102,103");

        var text = await Proxy.AdminClient.GetStringAsync("/metrics");
        Assert.Equal(2, Sample(text, "103", "relayed"));
        Assert.Equal(1, Sample(text, "102", "relayed"));
    }

    private static double Sample(string metrics, string status, string outcome) => metrics.Split('\n')
        .Where(l => l.StartsWith("edgeproxy_origin_interim_responses", StringComparison.Ordinal)
            && l.Contains($"status=\"{status}\"", StringComparison.Ordinal) && l.Contains($"outcome=\"{outcome}\"", StringComparison.Ordinal))
        .Select(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture))
        .Single();
}
