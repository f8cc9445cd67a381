using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using EdgeProxy.FunctionalTests.Infrastructure;
using EdgeProxy.Server;
using EdgeProxy.TestOrigin;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeProxy.FunctionalTests.Server;

/// <summary>
/// Hits on large stored bodies over cleartext HTTP/1.1 go out with sendfile(2) from the body's memory file
/// (EdgeProxy:Transport:ZeroCopy): intact, in order on a kept-alive or pipelined connection, to a slow reader,
/// and without harm when the reader leaves mid-body; TLS listeners and ZeroCopy=false keep the copying path.
/// </summary>
public sealed class ZeroCopyHitTests : IAsyncLifetime
{
    private const string Cacheable = "cc=max-age%3D600";
    private TestOriginServer _origin = null!;

    public async Task InitializeAsync() => _origin = await TestOriginServer.StartAsync(new TestOriginOptions { Name = "primary" });

    public async Task DisposeAsync() => await _origin.DisposeAsync();

    [Fact]
    public async Task LargeHits_OnOneKeptAliveConnection_AreSentWithSendfile_AndArriveIntact()
    {
        await using var proxy = await ProxyInstance.StartAsync(ProxySettings.TwoOrigins(_origin.BaseAddress));
        var statistics = proxy.App.Services.GetRequiredService<ZeroCopyStatistics>();
        const int size = 300_000;
        var expected = TestOriginServer.ExpectedBody("/zc/a", size);
        using var connection = await RawHttpConnection.ConnectAsync(proxy.ProxyAddress);

        var miss = await connection.GetAsync($"/zc/a?size={size}&{Cacheable}");
        Assert.Equal(expected, miss.Body);
        await StoredAsync(proxy, "/zc/a");

        // The first hit moves the body into a memory file in the background; hits from then on use sendfile.
        var fromFile = await HitUntilSentWithSendfileAsync(connection, statistics, "/zc/a", size);
        Assert.Equal(fromFile * size, statistics.SentFileBytes + statistics.CopiedBytes);
        for (var i = 0; i < 4; i++)
        {
            var hit = await connection.GetAsync($"/zc/a?size={size}&{Cacheable}");
            Assert.Equal(200, hit.Final.Status);
            Assert.Contains("hit", hit.Final.Header("Cache-Status"), StringComparison.Ordinal);
            Assert.Equal(size.ToString(System.Globalization.CultureInfo.InvariantCulture), hit.Final.Header("Content-Length"));
            Assert.Equal(expected, hit.Body);
        }

        await FenceAsync(connection);
        Assert.Equal(1, _origin.Counters.For("/zc/a"));
        Assert.Equal((fromFile + 4) * size, statistics.SentFileBytes + statistics.CopiedBytes);
        Assert.True(statistics.SentFileBytes > 0, "no byte went out with sendfile");

        var metrics = PrometheusText.Parse(await proxy.AdminClient.GetStringAsync("/metrics"));
        Assert.Contains(metrics.Keys, name => name.StartsWith("edgeproxy_transport_zero_copy", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PipelinedRequests_MixingFileAndCopiedBodies_AreAnsweredInOrder()
    {
        await using var proxy = await ProxyInstance.StartAsync(ProxySettings.TwoOrigins(_origin.BaseAddress));
        var large = $"/zc/p?size=200000&{Cacheable}";
        var small = $"/zc/q?size=1000&{Cacheable}";
        using (var warm = await RawHttpConnection.ConnectAsync(proxy.ProxyAddress))
        {
            await warm.GetAsync(large);
            await warm.GetAsync(small);
        }

        await StoredAsync(proxy, "/zc/p");
        await StoredAsync(proxy, "/zc/q");
        using var connection = await RawHttpConnection.ConnectAsync(proxy.ProxyAddress);
        await HitUntilSentWithSendfileAsync(connection, proxy.App.Services.GetRequiredService<ZeroCopyStatistics>(), "/zc/p", 200000);

        // Three requests before reading any response: Kestrel answers them one after another on the same output.
        await connection.SendAsync($"GET {large} HTTP/1.1");
        await connection.SendAsync($"GET {small} HTTP/1.1");
        await connection.SendAsync($"GET {large} HTTP/1.1");

        Assert.Equal(TestOriginServer.ExpectedBody("/zc/p", 200000), (await connection.ReadResponseAsync()).Body);
        Assert.Equal(TestOriginServer.ExpectedBody("/zc/q", 1000), (await connection.ReadResponseAsync()).Body);
        Assert.Equal(TestOriginServer.ExpectedBody("/zc/p", 200000), (await connection.ReadResponseAsync()).Body);
        Assert.Equal(1, _origin.Counters.For("/zc/p"));
    }

    [Fact]
    public async Task SlowReader_WhoseSocketFills_GetsTheWholeBody()
    {
        await using var proxy = await ProxyInstance.StartAsync(ProxySettings.TwoOrigins(_origin.BaseAddress));
        var statistics = proxy.App.Services.GetRequiredService<ZeroCopyStatistics>();
        const int size = 8 * 1024 * 1024;
        var path = $"/zc/slow?size={size}&{Cacheable}";
        using (var warm = await RawHttpConnection.ConnectAsync(proxy.ProxyAddress))
        {
            await warm.GetAsync(path);
            await StoredAsync(proxy, "/zc/slow");
            await HitUntilSentWithSendfileAsync(warm, statistics, "/zc/slow", size);
        }

        var before = statistics.SentFileBytes + statistics.CopiedBytes;

        // A 4 KiB receive window: no socket buffer holds 8 MiB, so sendfile stops short and the rest goes the copying way.
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await socket.ConnectAsync(IPAddress.Loopback, proxy.ProxyAddress.Port);
        await socket.SendAsync(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: edge.test\r\n\r\n"));
        using var connection = new RawHttpConnection(new NetworkStream(socket, ownsSocket: false));
        var response = await connection.ReadResponseAsync();

        Assert.Equal(200, response.Final.Status);
        Assert.Equal(TestOriginServer.ExpectedBody("/zc/slow", size), response.Body);
        Assert.Equal(size, statistics.SentFileBytes + statistics.CopiedBytes - before);
        Assert.True(statistics.CopiedBytes > 0, "the socket never filled: the slow-reader path did not run");
    }

    [Fact]
    public async Task ReaderLeavingMidBody_LeavesTheProxyServingOthers()
    {
        await using var proxy = await ProxyInstance.StartAsync(ProxySettings.TwoOrigins(_origin.BaseAddress));
        const int size = 8 * 1024 * 1024;
        var path = $"/zc/gone?size={size}&{Cacheable}";
        using (var warm = await RawHttpConnection.ConnectAsync(proxy.ProxyAddress))
        {
            await warm.GetAsync(path);
            await StoredAsync(proxy, "/zc/gone");
            await HitUntilSentWithSendfileAsync(warm, proxy.App.Services.GetRequiredService<ZeroCopyStatistics>(), "/zc/gone", size);
        }
        using (var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 })
        {
            await socket.ConnectAsync(IPAddress.Loopback, proxy.ProxyAddress.Port);
            await socket.SendAsync(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: edge.test\r\n\r\n"));
            var some = new byte[64 * 1024];
            var read = 0;
            while (read < some.Length)
            {
                var n = await socket.ReceiveAsync(some.AsMemory(read));
                Assert.True(n > 0, "the proxy closed before sending 64 KiB");
                read += n;
            }

            socket.LingerState = new LingerOption(true, 0); // leave with a reset, mid-body
        }

        using var after = await RawHttpConnection.ConnectAsync(proxy.ProxyAddress);
        Assert.Equal(TestOriginServer.ExpectedBody("/zc/gone", size), (await after.GetAsync(path)).Body);
        Assert.Equal(TestOriginServer.ExpectedBody("/zc/gone", size), (await after.GetAsync(path)).Body);
        Assert.Equal(1, _origin.Counters.For("/zc/gone"));
    }

    [Fact]
    public async Task ZeroCopyOff_HitsAreCopied_AndIntact()
    {
        await using var proxy = await ProxyInstance.StartAsync(ProxySettings.TwoOrigins(_origin.BaseAddress).With("EdgeProxy:Transport:ZeroCopy", "false"));
        await AssertHitIsCopiedAsync(proxy, "/zc/off");
    }

    [Fact]
    public async Task TlsListener_HitsAreCopied_AndIntact()
    {
        using var certificate = TestCertificate.CreateSelfSigned();
        await using var proxy = await ProxyInstance.StartWithTlsAsync(ProxySettings.TwoOrigins(_origin.BaseAddress), certificate);
        await AssertHitIsCopiedAsync(proxy, "/zc/tls", certificate);
    }

    /// <summary>
    /// Hits <paramref name="name"/> (stored) until one goes out with sendfile: the first hit moves the body into a memory
    /// file off the request path, so a few may be copied first. Every body must be intact; at most 50 requests. Returns how
    /// many hits were sent from the file (the last hit's count can land after its response reached the client, so the
    /// loop may make one more, and a <see cref="FenceAsync"/> ends it).
    /// </summary>
    private static async Task<long> HitUntilSentWithSendfileAsync(RawHttpConnection connection, ZeroCopyStatistics statistics, string name, int size)
    {
        var expected = TestOriginServer.ExpectedBody(name, size);
        var before = statistics.SentFileBytes + statistics.CopiedBytes;
        for (var i = 0; i < 50 && statistics.SentFileBytes + statistics.CopiedBytes == before; i++)
        {
            var hit = await connection.GetAsync($"{name}?size={size}&{Cacheable}");
            Assert.Contains("hit", hit.Final.Header("Cache-Status"), StringComparison.Ordinal);
            Assert.Equal(expected, hit.Body);
        }

        await FenceAsync(connection);
        var sent = statistics.SentFileBytes + statistics.CopiedBytes - before;
        Assert.True(sent > 0, "50 hits and none sent from a memory file");
        Assert.Equal(0, sent % size);
        return sent / size;
    }

    /// <summary>
    /// One small request on the connection: the proxy serves a connection's requests in order, so once its response is
    /// here every earlier response's flush, where the zero-copy bytes are counted, has returned.
    /// </summary>
    private static async Task FenceAsync(RawHttpConnection connection) =>
        Assert.Equal(200, (await connection.GetAsync("/zc/fence?size=10")).Final.Status);

    /// <summary>A 300,000-byte object stored and hit on one connection: the hit is intact and no byte of it went the zero-copy way.</summary>
    private static async Task AssertHitIsCopiedAsync(ProxyInstance proxy, string name, X509Certificate2? pinned = null)
    {
        var statistics = proxy.App.Services.GetRequiredService<ZeroCopyStatistics>();
        var path = $"{name}?size=300000&{Cacheable}";
        using var connection = await RawHttpConnection.ConnectAsync(proxy.ProxyAddress, pinned);
        await connection.GetAsync(path);
        await StoredAsync(proxy, name);

        for (var i = 0; i < 3; i++)
        {
            var hit = await connection.GetAsync(path);
            Assert.Contains("hit", hit.Final.Header("Cache-Status"), StringComparison.Ordinal);
            Assert.Equal(TestOriginServer.ExpectedBody(name, 300000), hit.Body);
        }

        Assert.Equal(0, statistics.SentFileBytes + statistics.CopiedBytes);
    }

    private static Task<LogLine> StoredAsync(ProxyInstance proxy, string path) =>
        proxy.Logs.WaitForAsync(l => l.EventId.Id == 3001 && l.Message.Contains(path + "?", StringComparison.Ordinal));
}
