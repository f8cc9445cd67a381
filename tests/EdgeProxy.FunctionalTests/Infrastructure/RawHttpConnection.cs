using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace EdgeProxy.FunctionalTests.Infrastructure;

/// <summary>
/// HTTP/1.x over a raw socket, for what HttpClient hides: interim (1xx) responses (it drops them) and the exact
/// bytes on a keep-alive connection. Reads requests (for a raw origin) or responses (for a raw client).
/// </summary>
public sealed class RawHttpConnection : IDisposable
{
    private readonly Stream _stream;
    private byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    public RawHttpConnection(Stream stream) => _stream = stream;

    /// <summary>A plain connection, or for an https address a TLS one (ALPN http/1.1) to a server presenting <paramref name="pinned"/>.</summary>
    public static async Task<RawHttpConnection> ConnectAsync(Uri address, X509Certificate2? pinned = null)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new DnsEndPoint(address.Host, address.Port));
        var stream = new NetworkStream(socket, ownsSocket: true);
        if (address.Scheme != Uri.UriSchemeHttps)
        {
            return new RawHttpConnection(stream);
        }

        var expected = (pinned ?? throw new ArgumentNullException(nameof(pinned))).GetCertHash();
        var tls = new SslStream(stream);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            ApplicationProtocols = [SslApplicationProtocol.Http11],
            RemoteCertificateValidationCallback = (_, cert, _, _) => cert is not null && cert.GetCertHash().AsSpan().SequenceEqual(expected),
        });
        return new RawHttpConnection(tls);
    }

    /// <summary>Sends a request: <paramref name="requestLine"/>, a Host field, <paramref name="fields"/> and an optional body.</summary>
    public async Task SendAsync(string requestLine, string? body = null, params string[] fields)
    {
        var text = new StringBuilder(requestLine).Append("\r\nHost: edge.test\r\n");
        foreach (var field in fields)
        {
            text.Append(field).Append("\r\n");
        }

        if (body is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $"Content-Length: {Encoding.ASCII.GetByteCount(body)}\r\n\r\n").Append(body);
        }
        else
        {
            text.Append("\r\n");
        }

        await _stream.WriteAsync(Encoding.ASCII.GetBytes(text.ToString()));
    }

    /// <summary>Sends <paramref name="bytes"/> as they are, in one write (pipelined requests, a body that looks like a head).</summary>
    public async Task SendRawAsync(string bytes) => await _stream.WriteAsync(Encoding.ASCII.GetBytes(bytes));

    /// <summary>Sends a GET (HTTP/1.1 unless told) and reads its response.</summary>
    public async Task<RawResponse> GetAsync(string target, string version = "HTTP/1.1")
    {
        await SendAsync($"GET {target} {version}");
        return await ReadResponseAsync();
    }

    /// <summary>The next request on the connection (its body is read and dropped), or null when the peer closed.</summary>
    public async Task<RawMessage?> ReadRequestAsync(CancellationToken cancellationToken)
    {
        var head = await ReadHeadAsync(cancellationToken);
        if (head is null)
        {
            return null;
        }

        if (head.Header("Content-Length") is { } length)
        {
            await ReadBodyAsync(long.Parse(length, CultureInfo.InvariantCulture), cancellationToken);
        }

        return head;
    }

    /// <summary>Every 1xx head, then the final head and its body (Content-Length, chunked, or to the end of the connection).</summary>
    public async Task<RawResponse> ReadResponseAsync(bool headRequest = false)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var interim = new List<RawMessage>();
        while (true)
        {
            var head = await ReadHeadAsync(timeout.Token) ?? throw new IOException("connection closed before a response");
            if (head.Status is >= 100 and < 200)
            {
                interim.Add(head);
                continue;
            }

            byte[] body = [];
            if (headRequest || head.Status is 204 or 304)
            {
            }
            else if (head.Header("Content-Length") is { } length)
            {
                body = await ReadBodyAsync(long.Parse(length, CultureInfo.InvariantCulture), timeout.Token);
            }
            else if (head.Header("Transfer-Encoding") is { } te && te.Contains("chunked", StringComparison.OrdinalIgnoreCase))
            {
                body = await ReadChunkedAsync(timeout.Token);
            }
            else
            {
                body = await ReadToEndAsync(timeout.Token);
            }

            return new RawResponse(interim, head, body);
        }
    }

    /// <summary>True when the peer closed the connection and sent nothing more.</summary>
    public async Task<bool> ClosedWithNothingMoreAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return (await ReadToEndAsync(timeout.Token)).Length == 0;
    }

    private async Task<RawMessage?> ReadHeadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var end = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8);
            if (end >= 0)
            {
                var raw = Encoding.Latin1.GetString(_buffer, _start, end + 4);
                _start += end + 4;
                var lines = raw[..^4].Split("\r\n");
                var fields = lines.Skip(1).Select(l => new KeyValuePair<string, string>(l[..l.IndexOf(':', StringComparison.Ordinal)], l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim())).ToList();
                return new RawMessage(lines[0], fields, raw);
            }

            if (await FillAsync(cancellationToken) == 0)
            {
                return null;
            }
        }
    }

    private async Task<byte[]> ReadBodyAsync(long length, CancellationToken cancellationToken)
    {
        while (_end - _start < length)
        {
            if (await FillAsync(cancellationToken) == 0)
            {
                throw new IOException($"connection closed after {_end - _start} of {length} body bytes");
            }
        }

        var body = _buffer.AsSpan(_start, (int)length).ToArray();
        _start += (int)length;
        return body;
    }

    private async Task<byte[]> ReadChunkedAsync(CancellationToken cancellationToken)
    {
        var body = new List<byte>();
        while (true)
        {
            int lineEnd;
            while ((lineEnd = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n"u8)) < 0)
            {
                if (await FillAsync(cancellationToken) == 0)
                {
                    throw new IOException("connection closed in a chunk header");
                }
            }

            var size = int.Parse(Encoding.ASCII.GetString(_buffer, _start, lineEnd).Split(';')[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            _start += lineEnd + 2;
            body.AddRange(await ReadBodyAsync(size + 2, cancellationToken));
            body.RemoveRange(body.Count - 2, 2);
            if (size == 0)
            {
                return [.. body];
            }
        }
    }

    private async Task<byte[]> ReadToEndAsync(CancellationToken cancellationToken)
    {
        while (await FillAsync(cancellationToken) > 0)
        {
        }

        var rest = _buffer.AsSpan(_start, _end - _start).ToArray();
        _start = _end;
        return rest;
    }

    private async Task<int> FillAsync(CancellationToken cancellationToken)
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }

        return await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken) is var read and > 0 ? _end += read : 0;
    }

    public void Dispose() => _stream.Dispose();
}
