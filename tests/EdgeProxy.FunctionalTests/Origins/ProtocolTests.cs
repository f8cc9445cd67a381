using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using EdgeProxy.FunctionalTests.Infrastructure;
using EdgeProxy.TestOrigin;

namespace EdgeProxy.FunctionalTests.Origins;

/// <summary>HTTP semantics of forwarding: framing, proxy headers, hop-by-hop rules, upgrades, bad input.</summary>
public sealed class ProtocolTests : ProxiedOriginTest
{
    [Fact]
    public async Task Get_ChunkedOriginResponse_StreamsChunkedAndComplete()
    {
        using var response = await Proxy.Client.GetAsync("/chunked/a?size=100000&chunks=5&te=chunked", HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(response.Content.Headers.ContentLength);
        Assert.True(response.Headers.TransferEncodingChunked);
        Assert.Equal(TestOriginServer.ExpectedBody("/chunked/a", 100000), await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Post_ExpectContinue_ForwardsBody()
    {
        var payload = new byte[200_000];
        Random.Shared.NextBytes(payload);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/expect/a?echo=1") { Content = new ByteArrayContent(payload) };
        request.Headers.ExpectContinue = true;

        using var response = await Proxy.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var echo = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(payload.Length, echo.RootElement.GetProperty("bodyLength").GetInt64());
        Assert.Equal("100-continue", echo.RootElement.GetProperty("headers").GetProperty("Expect").GetString());
    }

    [Fact]
    public async Task Post_ChunkedRequestBody_StreamsToOriginIntact()
    {
        var payload = new byte[300_000];
        Random.Shared.NextBytes(payload);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/chunked/up?echo=1") { Content = new StreamContent(new NonSeekableStream(payload)) };
        request.Headers.TransferEncodingChunked = true;

        using var response = await Proxy.Client.SendAsync(request);

        using var echo = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(payload.Length, echo.RootElement.GetProperty("bodyLength").GetInt64());
        Assert.Equal(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(payload)), echo.RootElement.GetProperty("bodySha256").GetString());
        Assert.Equal("chunked", echo.RootElement.GetProperty("headers").GetProperty("Transfer-Encoding").GetString());
    }

    [Fact]
    public async Task Get_AddsViaAndForwardedHeadersBothWays()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/headers/a?echo=1");
        request.Headers.Add("Via", "1.1 downstream");
        using var response = await Proxy.Client.SendAsync(request);

        using var echo = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var headers = echo.RootElement.GetProperty("headers");
        Assert.Equal("1.1 downstream, 1.1 edgeproxy", headers.GetProperty("Via").GetString());
        Assert.Equal("127.0.0.1", headers.GetProperty("X-Forwarded-For").GetString());
        Assert.Equal("http", headers.GetProperty("X-Forwarded-Proto").GetString());
        Assert.Equal(Proxy.ProxyAddress.Authority, headers.GetProperty("X-Forwarded-Host").GetString());
        Assert.Contains("1.1 edgeproxy", response.Headers.Via.Select(v => v.ToString()));
    }

    [Fact]
    public async Task Get_HeadersNominatedByConnection_AreNotForwardedEitherWay()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/hop/a?echo=1&h.Connection=X-Hop-Response&h.X-Hop-Response=secret&h.X-Kept=yes");
        request.Headers.Connection.Add("X-Hop-Request");
        request.Headers.Add("X-Hop-Request", "secret");
        request.Headers.Add("X-End-To-End", "kept");

        using var response = await Proxy.Client.SendAsync(request);

        using var echo = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var headers = echo.RootElement.GetProperty("headers");
        Assert.False(headers.TryGetProperty("X-Hop-Request", out _));
        Assert.Equal("kept", headers.GetProperty("X-End-To-End").GetString());
        Assert.False(response.Headers.Contains("X-Hop-Response"));
        Assert.Equal("yes", response.Headers.GetValues("X-Kept").Single());
    }

    [Fact]
    public async Task WebSocket_UpgradeIsTunnelledBothWays()
    {
        using var socket = new ClientWebSocket();
        var uri = new UriBuilder(Proxy.ProxyAddress) { Scheme = "ws", Path = "/ws/echo" }.Uri;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await socket.ConnectAsync(uri, cts.Token);

        await socket.SendAsync(Encoding.UTF8.GetBytes("hello through the proxy"), WebSocketMessageType.Text, true, cts.Token);
        var buffer = new byte[1024];
        var received = await socket.ReceiveAsync(buffer, cts.Token);
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", cts.Token);

        Assert.Equal("hello through the proxy", Encoding.UTF8.GetString(buffer, 0, received.Count));
    }

    [Theory]
    [InlineData("GET /bad path HTTP/1.1\r\nHost: x\r\n\r\n")]
    [InlineData("GET /ok HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n")]
    [InlineData("GET /ok HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n")]
    [InlineData("GET /ok HTTP/1.1\r\n\r\n")]
    [InlineData("GET /ok HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n")]
    public async Task MalformedRequest_Is400AndNeverReachesOrigin(string raw)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(Proxy.ProxyAddress.Host, Proxy.ProxyAddress.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(raw));
        var buffer = new byte[4096];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var read = await stream.ReadAsync(buffer, cts.Token);

        Assert.StartsWith("HTTP/1.1 400", Encoding.ASCII.GetString(buffer, 0, read), StringComparison.Ordinal);
        Assert.Equal(0, Origin.Counters.Total);
    }

    /// <summary>A stream without a length, so HttpClient must send it chunked.</summary>
    private sealed class NonSeekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
