using System.Net.Sockets;
using System.Text;

namespace EdgeProxy.Server;

/// <summary>
/// One keep-alive HTTP/1.1 connection of the warm-up's hits: it sends a GET and reads the response whole, as a load
/// generator such as wrk does, so the warm-up spends its CPU (and the JIT its time) on the proxy's code rather than on
/// an HTTP client's. Strict: anything but <c>200</c> with the expected <c>Content-Length</c> and that many bytes throws.
/// </summary>
internal sealed class WarmupConnection : IDisposable
{
    private readonly Socket _socket;
    private readonly byte[] _buffer = new byte[64 * 1024];

    private WarmupConnection(Socket socket) => _socket = socket;

    public static async Task<WarmupConnection> OpenAsync(Uri address, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(address.Host, address.Port, cancellationToken);
            return new WarmupConnection(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The bytes of a GET for <paramref name="pathAndQuery"/>.</summary>
    public static byte[] Get(string pathAndQuery) => Encoding.ASCII.GetBytes($"GET {pathAndQuery} HTTP/1.1\r\nHost: warmup\r\n\r\n");

    /// <summary>Sends <paramref name="request"/> and reads its response, which must be a 200 of <paramref name="length"/> bytes.</summary>
    public async Task SendAsync(byte[] request, int length, CancellationToken cancellationToken)
    {
        await _socket.SendAsync(request, SocketFlags.None, cancellationToken);
        var filled = 0;
        int end;
        while ((end = _buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8)) < 0)
        {
            if (filled == _buffer.Length)
            {
                throw new InvalidDataException("response head larger than 64 KiB");
            }

            filled += await ReceiveAsync(_buffer.AsMemory(filled), cancellationToken);
        }

        var head = Encoding.ASCII.GetString(_buffer, 0, end);
        if (!head.StartsWith("HTTP/1.1 200 ", StringComparison.Ordinal) || ContentLength(head) != length)
        {
            throw new InvalidDataException($"expected 200 with Content-Length {length}, got: {head.ReplaceLineEndings(" | ")}");
        }

        var left = length - (filled - end - 4);
        if (left < 0)
        {
            throw new InvalidDataException($"{-left} bytes after the response");
        }

        while (left > 0)
        {
            left -= await ReceiveAsync(_buffer.AsMemory(0, Math.Min(left, _buffer.Length)), cancellationToken);
        }
    }

    public void Dispose() => _socket.Dispose();

    private async ValueTask<int> ReceiveAsync(Memory<byte> into, CancellationToken cancellationToken)
    {
        var n = await _socket.ReceiveAsync(into, SocketFlags.None, cancellationToken);
        return n > 0 ? n : throw new InvalidDataException("connection closed before the response ended");
    }

    private static long ContentLength(string head)
    {
        foreach (var line in head.Split("\r\n"))
        {
            var colon = line.IndexOf(':');
            if (colon > 0 && line.AsSpan(0, colon).Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                return long.TryParse(line.AsSpan(colon + 1).Trim(), out var value) ? value : -1;
            }
        }

        return -1;
    }
}
