using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace EdgeProxy.FunctionalTests.Infrastructure;

/// <summary>
/// A raw-TCP HTTP/1.1 origin that sends interim (1xx) responses before its final one (Kestrel cannot send a 1xx).
/// Keep-alive; knobs in the query: <c>i=103,102</c> the 1xx statuses to send first (each with <c>X-My-Header: a</c>,
/// a hop-by-hop <c>X-Hop</c> named by <c>Connection</c>, and for 103 a preload <c>Link</c>); <c>bytewise=1</c> writes
/// each 1xx head one byte per send; <c>hold=NAME</c> waits for <see cref="Release"/> after the 1xx, then sends the <c>late=</c> 1xx; <c>cc=</c> the
/// final Cache-Control (default <c>max-age=60</c>); <c>size=N</c> the body length (default 5); <c>final=</c> the final status (default 200);
/// <c>abort_after=N</c> sends a strong ETag and closes the first response after N body bytes, answering a later
/// <c>Range: bytes=S-</c> with the 1xx and a 206. Counts requests by path.
/// </summary>
public sealed class InterimOrigin : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, int> _counts = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _gates = new();
    private readonly ConcurrentDictionary<string, string> _lastMethod = new();
    private readonly Task _loop;

    private readonly X509Certificate2? _certificate;

    /// <summary>Plain HTTP, or HTTPS (HTTP/1.1 over TLS) with <paramref name="certificate"/>.</summary>
    public InterimOrigin(X509Certificate2? certificate = null)
    {
        _certificate = certificate;
        _listener.Start();
        Address = new Uri($"{(certificate is null ? "http" : "https")}://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _loop = AcceptLoopAsync();
    }

    public Uri Address { get; }

    public int Count(string path) => _counts.GetValueOrDefault(path);

    public string? LastMethod(string path) => _lastMethod.GetValueOrDefault(path);

    public void Release(string gate) => Gate(gate).TrySetResult();

    /// <summary>Completes when a request for <paramref name="path"/> has arrived.</summary>
    public Task Received(string path) => Gate("received:" + path).Task;

    /// <summary>The body byte at <paramref name="index"/>.</summary>
    public static byte BodyByte(long index) => (byte)('a' + (index % 26));

    private TaskCompletionSource Gate(string name) => _gates.GetOrAdd(name, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptSocketAsync(_stop.Token);
                socket.NoDelay = true;
                _ = ServeAsync(socket);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        await using var network = new NetworkStream(socket, ownsSocket: true);
        Stream stream = network;
        try
        {
            if (_certificate is { } certificate)
            {
                var tls = new SslStream(stream);
                stream = tls;
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                {
                    ServerCertificate = certificate,
                    ApplicationProtocols = [SslApplicationProtocol.Http11],
                }, _stop.Token);
            }

            using var reader = new RawHttpConnection(stream);
            while (await reader.ReadRequestAsync(_stop.Token) is { } request)
            {
                if (!await RespondAsync(stream, request))
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or IOException or ObjectDisposedException or System.Security.Authentication.AuthenticationException)
        {
        }
    }

    private async Task<bool> RespondAsync(Stream socket, RawMessage request)
    {
        var target = new Uri(new Uri("http://origin"), request.Target);
        var path = target.AbsolutePath;
        var query = System.Web.HttpUtility.ParseQueryString(target.Query);
        var count = _counts.AddOrUpdate(path, 1, static (_, n) => n + 1);
        _lastMethod[path] = request.Method;
        Release("received:" + path);
        var size = long.Parse(query["size"] ?? "5", CultureInfo.InvariantCulture);
        var abortAfter = query["abort_after"] is { } a ? long.Parse(a, CultureInfo.InvariantCulture) : -1;
        var range = request.Header("Range");
        var resuming = range is not null && abortAfter >= 0;
        if (abortAfter < 0 || count == 1 || resuming)
        {
            await SendInterimAsync(socket, query["i"], query["bytewise"] == "1");
        }

        if (query["hold"] is { } hold)
        {
            await Gate(hold).Task.WaitAsync(_stop.Token);
            await SendInterimAsync(socket, query["late"], bytewise: false);
        }

        var from = resuming ? long.Parse(range![6..^1], CultureInfo.InvariantCulture) : 0;
        var final = new StringBuilder(resuming ? "HTTP/1.1 206 Partial Content\r\n" : $"HTTP/1.1 {query["final"] ?? "200"} Final\r\n");
        final.Append("Cache-Control: ").Append(query["cc"] ?? "max-age=60").Append("\r\n");
        final.Append("Content-Type: text/plain\r\n");
        if (abortAfter >= 0)
        {
            final.Append("ETag: \"v1\"\r\nAccept-Ranges: bytes\r\n");
        }

        if (resuming)
        {
            final.Append(CultureInfo.InvariantCulture, $"Content-Range: bytes {from}-{size - 1}/{size}\r\n");
        }

        final.Append(CultureInfo.InvariantCulture, $"Content-Length: {size - from}\r\n\r\n");
        await socket.WriteAsync(Encoding.ASCII.GetBytes(final.ToString()), _stop.Token);
        var end = abortAfter >= 0 && count == 1 && !resuming ? abortAfter : size;
        var body = new byte[end - from];
        for (var i = 0; i < body.Length; i++)
        {
            body[i] = BodyByte(from + i);
        }

        if (!HttpMethodIsHead(request.Method))
        {
            await socket.WriteAsync(body, _stop.Token);
        }

        return end == size; // a broken response closes the connection
    }

    private async Task SendInterimAsync(Stream socket, string? statuses, bool bytewise)
    {
        foreach (var status in (statuses ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var head = Encoding.ASCII.GetBytes(InterimHead(int.Parse(status, CultureInfo.InvariantCulture)));
            if (bytewise)
            {
                foreach (var b in head)
                {
                    await socket.WriteAsync(new[] { b }, _stop.Token);
                    await socket.FlushAsync(_stop.Token);
                }
            }
            else
            {
                await socket.WriteAsync(head, _stop.Token);
            }
        }
    }

    private static bool HttpMethodIsHead(string method) => method == "HEAD";

    private static string InterimHead(int status) =>
        $"HTTP/1.1 {status} {(status == 103 ? "Early Hints" : status == 102 ? "Processing" : "Interim")}\r\n"
        + (status == 103 ? "Link: </styles.css>; rel=preload; as=style\r\n" : "")
        + "X-My-Header: a\r\nConnection: X-Hop\r\nX-Hop: secret\r\n\r\n";

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _loop;
        _stop.Dispose();
    }
}
