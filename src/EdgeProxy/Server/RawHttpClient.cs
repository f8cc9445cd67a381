using System.Buffers.Text;
using System.Net.Sockets;
using System.Text;

namespace EdgeProxy.Server;

/// <summary>
/// A keep-alive HTTP/1.1 client over one socket that allocates nothing per request, as a load generator such as wrk:
/// the request bytes are encoded once and the response is read into a reused buffer (its async state machine is
/// pooled, so awaiting a receive that is not yet complete allocates nothing either). The start-up warm-up drives its
/// private instance with it, so the CPU and the JIT go to the proxy's code rather than an HTTP client's; the hit-path
/// micro-benchmark uses it so that MemoryDiagnoser's "Allocated" (every thread of the process) is the server's own.
/// Handles Content-Length responses only, which is what a cache hit sends; anything else, a connection closed early
/// or bytes past the response throw.
/// </summary>
internal sealed class RawHttpClient : IDisposable
{
    private readonly Socket _socket;
    private readonly byte[] _buffer = new byte[256 * 1024];

    private RawHttpClient(Socket socket) => _socket = socket;

    public static async Task<RawHttpClient> ConnectAsync(Uri server, CancellationToken cancellationToken = default)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(server.Host, server.Port, cancellationToken);
            return new RawHttpClient(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>A GET request for <paramref name="pathAndQuery"/> to <paramref name="host"/>, encoded once.</summary>
    public static byte[] EncodeGet(string pathAndQuery, string host) =>
        Encoding.ASCII.GetBytes($"GET {pathAndQuery} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: raw\r\nAccept: */*\r\n\r\n");

    /// <summary>Sends <paramref name="request"/> and reads the whole response; returns its status code and body length.</summary>
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<(int Status, long Length)> SendAsync(byte[] request, CancellationToken cancellationToken = default)
    {
        await _socket.SendAsync(request.AsMemory(), SocketFlags.None, cancellationToken);
        var filled = 0;
        var headerEnd = -1;
        while (headerEnd < 0)
        {
            if (filled == _buffer.Length)
            {
                throw new InvalidDataException($"response head larger than {_buffer.Length} bytes");
            }

            var read = await _socket.ReceiveAsync(_buffer.AsMemory(filled), SocketFlags.None, cancellationToken);
            filled += read > 0 ? read : throw new IOException("connection closed before the response head ended");
            headerEnd = _buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8);
        }

        var head = _buffer.AsSpan(0, headerEnd);
        var status = (head[9] - '0') * 100 + (head[10] - '0') * 10 + (head[11] - '0');
        var length = ContentLength(head);
        var remaining = length - (filled - headerEnd - 4);
        if (remaining < 0)
        {
            throw new InvalidDataException($"{-remaining} bytes after the response");
        }

        while (remaining > 0)
        {
            var read = await _socket.ReceiveAsync(_buffer.AsMemory(0, (int)Math.Min(remaining, _buffer.Length)), SocketFlags.None, cancellationToken);
            remaining -= read > 0 ? read : throw new IOException("connection closed mid-body");
        }

        return (status, length);
    }

    public void Dispose() => _socket.Dispose();

    /// <summary>The Content-Length field's value (a field name matched without regard to case).</summary>
    private static long ContentLength(ReadOnlySpan<byte> head)
    {
        foreach (var range in head.Split("\r\n"u8))
        {
            var line = head[range];
            var colon = line.IndexOf((byte)':');
            if (colon > 0 && Ascii.EqualsIgnoreCase(line[..colon], "Content-Length"u8))
            {
                var value = line[(colon + 1)..].Trim((byte)' ');
                return Utf8Parser.TryParse(value, out long length, out var used) && used == value.Length && length >= 0
                    ? length
                    : throw new InvalidDataException("response with an unreadable Content-Length");
            }
        }

        throw new InvalidDataException("response without Content-Length");
    }
}
