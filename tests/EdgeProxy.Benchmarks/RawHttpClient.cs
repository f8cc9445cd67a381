using System.Net;
using System.Net.Sockets;
using System.Text;

namespace EdgeProxy.Benchmarks;

/// <summary>
/// A keep-alive HTTP/1.1 client over one socket that allocates nothing per request: the request bytes
/// are encoded once and the response is read into a reused buffer. With it, MemoryDiagnoser's
/// "Allocated" (which counts every thread of the process) is the server's own allocation per request.
/// (Its async state machine is pooled, so awaiting a receive that is not yet complete allocates nothing either.)
/// Handles Content-Length responses only, which is what a cache hit sends.
/// </summary>
internal sealed class RawHttpClient : IDisposable
{
    private static readonly byte[] ContentLengthName = "\r\ncontent-length:"u8.ToArray();
    private readonly Socket _socket;
    private readonly byte[] _buffer = new byte[256 * 1024];

    private RawHttpClient(Socket socket) => _socket = socket;

    public static async Task<RawHttpClient> ConnectAsync(Uri server)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, server.Port));
        return new RawHttpClient(socket);
    }

    /// <summary>A GET request for <paramref name="pathAndQuery"/>, encoded once.</summary>
    public static byte[] EncodeGet(string pathAndQuery, string host = "bench.local") =>
        Encoding.ASCII.GetBytes($"GET {pathAndQuery} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: raw\r\nAccept: */*\r\n\r\n");

    /// <summary>Sends <paramref name="request"/> and reads the whole response; returns the status code.</summary>
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<int> SendAsync(byte[] request)
    {
        await _socket.SendAsync(request.AsMemory(), SocketFlags.None);
        var filled = 0;
        var headerEnd = -1;
        while (headerEnd < 0)
        {
            var read = await _socket.ReceiveAsync(_buffer.AsMemory(filled), SocketFlags.None);
            if (read == 0)
            {
                throw new IOException("connection closed before the response headers");
            }

            filled += read;
            headerEnd = _buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8);
        }

        var head = _buffer.AsSpan(0, headerEnd);
        var status = (head[9] - '0') * 100 + (head[10] - '0') * 10 + (head[11] - '0');
        var remaining = ContentLength(head) - (filled - headerEnd - 4);
        while (remaining > 0)
        {
            var read = await _socket.ReceiveAsync(_buffer.AsMemory(), SocketFlags.None);
            if (read == 0)
            {
                throw new IOException("connection closed mid-body");
            }

            remaining -= read;
        }

        return status;
    }

    private static long ContentLength(ReadOnlySpan<byte> head)
    {
        Span<byte> lower = stackalloc byte[head.Length];
        for (var i = 0; i < head.Length; i++)
        {
            var c = head[i];
            lower[i] = c is >= (byte)'A' and <= (byte)'Z' ? (byte)(c + 32) : c;
        }

        var at = lower.IndexOf(ContentLengthName);
        if (at < 0)
        {
            throw new InvalidOperationException("response without Content-Length");
        }

        long value = 0;
        foreach (var c in lower[(at + ContentLengthName.Length)..])
        {
            if (c == ' ')
            {
                continue;
            }

            if (c is < (byte)'0' or > (byte)'9')
            {
                break;
            }

            value = value * 10 + (c - '0');
        }

        return value;
    }

    public void Dispose() => _socket.Dispose();
}
