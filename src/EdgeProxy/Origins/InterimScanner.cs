using System.Buffers;

namespace EdgeProxy.Origins;

/// <summary>
/// Watches the bytes an HTTP/1.x origin connection reads, without changing them, for interim (1xx) responses
/// ahead of a final one, and hands each 1xx head (other than 100 and 101) to the <see cref="InterimSink"/> of the
/// request that was written. One per connection. The first write of a request (a new <see cref="HeaderClock"/>
/// in the async flow) puts the connection "at response start" when that request has a sink; a status line that
/// is not 1xx stops the scan until the next request, so a response body is never looked at. Heads larger than
/// <see cref="MaxHeadBytes"/> are not relayed; a connection whose response does not start with <c>HTTP/1.</c>, or
/// that switched protocols (101), is never scanned again.
/// </summary>
internal sealed class InterimScanner
{
    public const int MaxHeadBytes = 16 * 1024;

    private const int StatusDigitAt = 9; // "HTTP/1.1 1xx": the status code's first digit

    private object? _exchange;
    private InterimSink? _sink;
    private State _state;
    private int _matched;
    private byte _minor;
    private byte[]? _head;
    private int _headLength;
    private bool _lineHasContent;

    private enum State : byte
    {
        Idle,
        AtStart,
        Collecting,
        Disabled,
    }

    private static ReadOnlySpan<byte> Version => "HTTP/1."u8;

    /// <summary>Request bytes are being written (on the request's own async flow, whose header clock is <paramref name="exchange"/>).</summary>
    public void OnRequestWritten(HeaderClock? exchange)
    {
        if (exchange is null || ReferenceEquals(exchange, _exchange) || _state == State.Disabled)
        {
            return; // the same request's later writes (its body), or nothing to scan for
        }

        _exchange = exchange;
        _sink = InterimSink.Current;
        ReleaseHead();
        _matched = 0;
        _state = _sink is null ? State.Idle : State.AtStart;
    }

    /// <summary>
    /// True when a read being issued must be scanned when it completes: a response start is expected, or the read
    /// is issued by a request with a sink that has not written yet (a pooled connection's read-ahead).
    /// </summary>
    public bool ShouldScanRead()
    {
        var state = _state;
        if (state is State.AtStart or State.Collecting)
        {
            return true;
        }

        return state == State.Idle
            && HeaderClock.Current is { } exchange && !ReferenceEquals(exchange, _exchange)
            && InterimSink.Current is not null;
    }

    /// <summary>Bytes the connection read, in order.</summary>
    public void OnRead(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            switch (_state)
            {
                case State.AtStart:
                    data = MatchStatusLine(data);
                    break;
                case State.Collecting:
                    data = Collect(data);
                    break;
                default:
                    return;
            }
        }
    }

    /// <summary>"HTTP/1.x 1": an interim response starts; "HTTP/1.x [2-5]": the final one, stop; anything else: not HTTP/1.</summary>
    private ReadOnlySpan<byte> MatchStatusLine(ReadOnlySpan<byte> data)
    {
        var i = 0;
        while (i < data.Length)
        {
            var b = data[i++];
            var at = _matched++;
            if (at < Version.Length)
            {
                if (b != Version[at])
                {
                    Stop(State.Disabled);
                    return default;
                }
            }
            else if (at == Version.Length)
            {
                if (!char.IsAsciiDigit((char)b))
                {
                    Stop(State.Disabled);
                    return default;
                }

                _minor = b;
            }
            else if (at == Version.Length + 1)
            {
                if (b != (byte)' ')
                {
                    Stop(State.Disabled);
                    return default;
                }
            }
            else
            {
                if (b != (byte)'1')
                {
                    Stop(State.Idle); // the final response: its body is none of our business
                    return default;
                }

                _head = ArrayPool<byte>.Shared.Rent(MaxHeadBytes);
                Version.CopyTo(_head);
                _head[Version.Length] = _minor;
                _head[Version.Length + 1] = (byte)' ';
                _head[StatusDigitAt] = b;
                _headLength = StatusDigitAt + 1;
                _lineHasContent = true;
                _state = State.Collecting;
                return data[i..];
            }
        }

        return default;
    }

    /// <summary>Collects the interim head up to its empty line (CRLF or bare LF line ends), then delivers it.</summary>
    private ReadOnlySpan<byte> Collect(ReadOnlySpan<byte> data)
    {
        var head = _head!;
        for (var i = 0; i < data.Length; i++)
        {
            if (_headLength == MaxHeadBytes)
            {
                Stop(State.Idle); // too large to relay; the client gets the final response only
                return default;
            }

            var b = data[i];
            head[_headLength++] = b;
            if (b == (byte)'\n')
            {
                if (!_lineHasContent)
                {
                    Deliver();
                    return data[(i + 1)..];
                }

                _lineHasContent = false;
            }
            else if (b != (byte)'\r')
            {
                _lineHasContent = true;
            }
        }

        return default;
    }

    private void Deliver()
    {
        var head = _head.AsSpan(0, _headLength);
        var status = ParseStatus(head);
        _matched = 0;
        _state = State.AtStart; // a final response (or another 1xx) follows
        try
        {
            if (status == 101)
            {
                Stop(State.Disabled); // a tunnel from here on
            }
            else if (status < 0)
            {
                Stop(State.Idle); // malformed: the client library will say so
            }
            else if (status != 100)
            {
                _sink?.OnInterim(status, head);
            }
        }
        catch (Exception)
        {
            // A sink's failure never fails the origin read; the relay logs its own errors.
        }
        finally
        {
            ReleaseHead();
        }
    }

    private static int ParseStatus(ReadOnlySpan<byte> head)
    {
        if (head.Length < StatusDigitAt + 4 || !char.IsAsciiDigit((char)head[StatusDigitAt + 1]) || !char.IsAsciiDigit((char)head[StatusDigitAt + 2])
            || head[StatusDigitAt + 3] is not ((byte)' ' or (byte)'\r' or (byte)'\n'))
        {
            return -1;
        }

        return 100 + ((head[StatusDigitAt + 1] - '0') * 10) + (head[StatusDigitAt + 2] - '0');
    }

    private void Stop(State state)
    {
        _state = state;
        _sink = null; // an idle pooled connection must not keep the last client's connection alive
        ReleaseHead();
    }

    private void ReleaseHead()
    {
        if (_head is { } head)
        {
            _head = null;
            _headLength = 0;
            ArrayPool<byte>.Shared.Return(head);
        }
    }
}
