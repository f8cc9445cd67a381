using System.Diagnostics;
using System.IO.Pipelines;
using System.Net;
using System.Runtime.CompilerServices;
using EdgeProxy.Caching;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;

namespace EdgeProxy.Server;

/// <summary>
/// A cleartext connection's input with the lane for certified hits in front of Kestrel (<see cref="HitLane"/>). While
/// the connection is at a request boundary, a read whose bytes begin with a head the cache certified is answered here,
/// straight to the socket, and those bytes are consumed; the next read is looked at the same way. Anything else is
/// handed to Kestrel as it came, and the lane stands aside until the request Kestrel then parses turns out to have no
/// body (<see cref="Arm"/>, called by the cache): only then are the next bytes the next request's head. The head handed
/// to Kestrel is kept, so the cache can certify it once it has served the request as a plain fresh hit.
/// </summary>
/// <remarks>
/// Kestrel reads a connection's input only to parse a request's head or to read its body, one request at a time, and
/// a request without a body is answered before the next head is read: so while armed, the input is at a boundary and
/// Kestrel's previous response is wholly in the output. Requests answered here do not reach Kestrel, whose keep-alive
/// timeout runs meanwhile: so once half of that timeout has passed since Kestrel last got bytes, the next head goes to
/// Kestrel (and the cache), which restarts it. A connection the lane keeps busy is not closed as idle; an idle one is.
/// </remarks>
internal sealed class HitLaneInput : PipeReader
{
    private readonly PipeReader _inner;
    private readonly FairInput? _fair; // the turn-taking below, told when the lane answered a request
    private readonly SocketOutput _output;
    private readonly HitLane _lane;
    private readonly long _kestrelTurnMs;
    private bool _armed = true; // a connection's first bytes are a request's
    private byte[]? _head;
    private int _headLength;
    private int _headGeneration; // the configuration generation the kept head was handed to Kestrel under
    private long _kestrelReadAt = Environment.TickCount64;

    private HitLaneInput(PipeReader inner, SocketOutput output, HitLane lane, ConnectionContext connection, TimeSpan keepAlive)
    {
        _inner = inner;
        _fair = inner as FairInput;
        _output = output;
        _lane = lane;
        _kestrelTurnMs = (long)Math.Max(keepAlive.TotalMilliseconds / 2, 1);
        RemoteAddress = (connection.RemoteEndPoint as IPEndPoint)?.Address;
    }

    /// <summary>
    /// Connection middleware, after <see cref="DirectSendConnections"/>: connections whose output is a
    /// <see cref="SocketOutput"/> get the lane. <paramref name="keepAlive"/> gives Kestrel's keep-alive timeout.
    /// </summary>
    public static Func<ConnectionDelegate, ConnectionDelegate> Middleware(HitLane lane, Func<TimeSpan> keepAlive) => next => async connection =>
    {
        var transport = connection.Transport;
        if (transport.Output is not SocketOutput output)
        {
            await next(connection);
            return;
        }

        var input = new HitLaneInput(transport.Input, output, lane, connection, keepAlive());
        connection.Features.Set(input);
        connection.Transport = new DuplexPipe(input, output);
        try
        {
            await next(connection);
        }
        finally
        {
            connection.Transport = transport;
        }
    };

    public IPAddress? RemoteAddress { get; }

    /// <summary>
    /// Called for a request Kestrel parsed on this connection: when it is HTTP/1.1, has no body and is not an upgrade, the
    /// next bytes Kestrel asks for are the next request's head, and the lane may look at them.
    /// </summary>
    public void Arm(HttpContext context)
    {
        if (HttpProtocol.IsHttp11(context.Request.Protocol)
            && context.Features.Get<IHttpRequestBodyDetectionFeature>() is { CanHaveBody: false }
            && context.Features.Get<IHttpUpgradeFeature>() is not { IsUpgradableRequest: true })
        {
            _armed = true;
        }
    }

    /// <summary>The head last handed to Kestrel whole, once, if it was handed over under <paramref name="generation"/>.</summary>
    public bool TakeHead(int generation, out ReadOnlySpan<byte> head)
    {
        head = _head.AsSpan(0, _headLength);
        var kept = _headLength > 0 && _headGeneration == generation;
        _headLength = 0;
        return kept;
    }

    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        if (_armed)
        {
            return ReadArmedAsync(cancellationToken);
        }

        // Kestrel reads again: for a body, or for the next head after a request the cache never saw. Either way the kept
        // head is no longer that of the request being served, and must not be certified for another one.
        _headLength = 0;
        return _inner.ReadAsync(cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ReadResult> ReadArmedAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await _inner.ReadAsync(cancellationToken).ConfigureAwait(false);
            _armed = false;
            _headLength = 0;
            if (result.IsCanceled || result.IsCompleted)
            {
                return result;
            }

            var first = result.Buffer.FirstSpan;
            var length = HitLane.HeadLength(first);
            if (length < 0)
            {
                return ToKestrel(result);
            }

            // Kestrel's keep-alive timeout runs while it waits for a head: now and then it gets one, so it does not
            // take a connection the lane keeps busy for an idle one.
            var start = Stopwatch.GetTimestamp();
            if (Environment.TickCount64 - _kestrelReadAt >= _kestrelTurnMs || !_lane.TryWrite(first[..length], this, _output, start))
            {
                Keep(first[..length]);
                return ToKestrel(result);
            }

            _inner.AdvanceTo(result.Buffer.GetPosition(length));
            _armed = true;
            _fair?.AnsweredByLane();

            // When the socket is gone, the next read says so and goes to Kestrel, which ends the connection.
            await _output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    private ReadResult ToKestrel(ReadResult result)
    {
        _kestrelReadAt = Environment.TickCount64;
        return result;
    }

    private void Keep(ReadOnlySpan<byte> head)
    {
        if (_head is null || _head.Length < head.Length)
        {
            _head = new byte[Math.Max(head.Length, 256)];
        }

        head.CopyTo(_head);
        _headLength = head.Length;
        _headGeneration = _lane.Generation;
    }

    public override bool TryRead(out ReadResult result)
    {
        // Not a read the lane looks at: whatever it returns is Kestrel's to parse.
        _armed = false;
        _headLength = 0;
        return _inner.TryRead(out result);
    }

    public override void AdvanceTo(SequencePosition consumed) => _inner.AdvanceTo(consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined) => _inner.AdvanceTo(consumed, examined);

    public override void CancelPendingRead() => _inner.CancelPendingRead();

    public override void Complete(Exception? exception = null) => _inner.Complete(exception);
}
