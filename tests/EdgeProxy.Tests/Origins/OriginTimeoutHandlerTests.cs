using System.Net;
using System.Net.Sockets;
using System.Text;
using EdgeProxy.Configuration;
using EdgeProxy.Origins;
using EdgeProxy.Tests.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace EdgeProxy.Tests.Origins;

/// <summary>
/// The response-header clock starts once the request is on a connection, not before the connect: the
/// origin handler over a real loopback socket, with the connect held on a gate and fake time for the clock.
/// </summary>
public sealed class OriginTimeoutHandlerTests : IDisposable
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan HeaderTimeout = TimeSpan.FromSeconds(1);

    private readonly FakeTimeProvider _time = new();
    private readonly TcpListener _origin = new(IPAddress.Loopback, 0);
    private readonly TaskCompletionSource _connecting = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _connectGate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _requestReceived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly HttpMessageInvoker _invoker;

    public OriginTimeoutHandlerTests()
    {
        _origin.Start();
        var options = new EdgeProxyOptions();
        options.OriginDefaults.ConnectTimeout = ConnectTimeout;
        options.OriginDefaults.ResponseHeaderTimeout = HeaderTimeout;
        var settings = new OriginSettings(new StaticOptionsMonitor<EdgeProxyOptions>(options));
        var sockets = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                _connecting.TrySetResult();
                await _connectGate.Task.WaitAsync(cancellationToken);
                return await OriginHttpClientFactory.ConnectAsync(context.DnsEndPoint, ConnectTimeout, cancellationToken);
            },
            PlaintextStreamFilter = OriginHttpClientFactory.WatchPlaintext,
        };
        _invoker = new HttpMessageInvoker(new OriginTimeoutHandler(sockets, "c1", settings, _time));
    }

    private Uri Address => new($"http://127.0.0.1:{((IPEndPoint)_origin.LocalEndpoint).Port}/x");

    [Fact]
    public async Task SendAsync_SlowConnectWithinConnectTimeout_DoesNotEatTheHeaderBudget()
    {
        var origin = ServeAsync(answer: true);
        var send = _invoker.SendAsync(new HttpRequestMessage(HttpMethod.Get, Address), CancellationToken.None);
        await _connecting.Task;

        _time.Advance(TimeSpan.FromSeconds(5)); // the connect takes 5 s: within the connect timeout, 5x the header timeout
        _connectGate.SetResult();

        using var response = await send;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", await response.Content.ReadAsStringAsync());
        await origin;
    }

    [Fact]
    public async Task SendAsync_SilentAfterTheRequestWasWritten_FailsWithHeaderTimeout()
    {
        var origin = ServeAsync(answer: false);
        _connectGate.SetResult();
        var send = _invoker.SendAsync(new HttpRequestMessage(HttpMethod.Get, Address), CancellationToken.None);
        await _requestReceived.Task;

        _time.Advance(HeaderTimeout);

        var timeout = await Assert.ThrowsAsync<OriginTimeoutException>(() => send);
        Assert.Equal(OriginFailureKind.ResponseHeaderTimeout, timeout.Kind);
        _origin.Stop();
        await origin;
    }

    [Fact]
    public async Task SendAsync_SlowUpload_ClockStartsAfterTheBody()
    {
        var origin = ServeAsync(answer: true);
        _connectGate.SetResult();
        var body = new GatedContent();
        var send = _invoker.SendAsync(new HttpRequestMessage(HttpMethod.Post, Address) { Content = body }, CancellationToken.None);
        await body.Started.Task;

        _time.Advance(TimeSpan.FromSeconds(5)); // the upload takes 5 s
        body.Finish.SetResult();

        using var response = await send;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await origin;
    }

    /// <summary>Accepts one connection, reads the request head (and a 4-byte body if announced), then answers or stays silent.</summary>
    private async Task ServeAsync(bool answer)
    {
        using var socket = await _origin.AcceptSocketAsync();
        var buffer = new byte[4096];
        var seen = 0;
        while (true)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(seen), SocketFlags.None);
            if (read == 0)
            {
                return;
            }

            seen += read;
            var text = Encoding.ASCII.GetString(buffer, 0, seen);
            var head = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (head >= 0 && (!text.Contains("Content-Length: 4", StringComparison.OrdinalIgnoreCase) || seen >= head + 4 + 4))
            {
                break;
            }
        }

        _requestReceived.TrySetResult();
        if (answer)
        {
            await socket.SendAsync("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"u8.ToArray(), SocketFlags.None);
        }
        else
        {
            try
            {
                await socket.ReceiveAsync(buffer, SocketFlags.None); // until the client gives up
            }
            catch (SocketException)
            {
            }
        }
    }

    public void Dispose()
    {
        _invoker.Dispose();
        _origin.Stop();
    }

    /// <summary>A 4-byte body whose sending waits on a gate.</summary>
    private sealed class GatedContent : HttpContent
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Finish { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync("ab"u8.ToArray());
            await stream.FlushAsync();
            Started.TrySetResult();
            await Finish.Task;
            await stream.WriteAsync("cd"u8.ToArray());
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 4;
            return true;
        }
    }
}
