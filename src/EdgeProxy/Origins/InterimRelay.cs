using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;

namespace EdgeProxy.Origins;

/// <summary>
/// Relays an origin's interim responses (103 Early Hints, 102 Processing...) to one HTTP/1.1 client
/// (RFC 9110 15.2: a proxy MUST forward 1xx responses unless it asked for them itself). Kestrel has no API to
/// send a 1xx (aspnetcore#27851), so the head is written straight to the connection's transport (the TLS pipe
/// when the listener is HTTPS), ahead of the final response. Only while that is safe: the client speaks
/// HTTP/1.1 (never HTTP/1.0, never HTTP/2), sent no request body (Kestrel writes its own 100 Continue when a
/// body is read), and the response has not started. A write and the response start exclude each other (one
/// gate), so a 1xx is either wholly before the final head or not sent; once the response starts or the request
/// ends, the relay is closed for good and later 1xx (from a fill that outlives the request) go nowhere.
/// </summary>
internal sealed partial class InterimRelay : InterimSink, IAsyncDisposable
{
    private readonly IConnectionTransportFeature _connection;
    private readonly CancellationToken _aborted;
    private readonly InterimRelays _owner;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile bool _open = true;

    private InterimRelay(IConnectionTransportFeature connection, InterimRelays owner, CancellationToken aborted)
    {
        _connection = connection;
        _aborted = aborted;
        _owner = owner;
        _logger = owner.Logger;
    }

    /// <summary>A relay to <paramref name="context"/>'s client, or null when that client may not be sent a 1xx.</summary>
    internal static InterimRelay? TryCreate(HttpContext context, InterimRelays owner)
    {
        var request = context.Request;
        if (!HttpProtocol.IsHttp11(request.Protocol) || context.Response.HasStarted
            || context.Features.Get<IHttpRequestBodyDetectionFeature>() is not { CanHaveBody: false }
            || context.Features.Get<IConnectionTransportFeature>() is not { } connection)
        {
            return null;
        }

        var relay = new InterimRelay(connection, owner, context.RequestAborted);
        context.Response.OnStarting(static state => ((InterimRelay)state).CloseAsync(), relay);
        context.Response.RegisterForDisposeAsync(relay);
        return relay;
    }

    public override void OnInterim(int status, ReadOnlySpan<byte> head)
    {
        if (!_open)
        {
            Dropped(status, "the response started or the request ended");
            return;
        }

        if (InterimHead.ForClient(status, head) is not { } bytes)
        {
            Dropped(status, "malformed head");
            return;
        }

        _ = WriteAsync(status, bytes); // in order: the gate's waiters are served first come, first served
    }

    private async Task WriteAsync(int status, byte[] bytes)
    {
        await _gate.WaitAsync(CancellationToken.None);
        try
        {
            if (!_open)
            {
                Dropped(status, "the response started or the request ended");
                return;
            }

            var result = await _connection.Transport.Output.WriteAsync(bytes, _aborted);
            if (result.IsCanceled || result.IsCompleted)
            {
                _open = false;
                Dropped(status, "the client connection is closed");
                return;
            }

            Relayed(_logger, status);
            _owner.Count(status, relayed: true);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or InvalidOperationException or ObjectDisposedException)
        {
            _open = false; // the client is gone; the origin request goes on
            WriteFailed(_logger, status, ex.Message);
            _owner.Count(status, relayed: false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The response starts or the request ends: wait for a write in progress, then never write again.</summary>
    private async Task CloseAsync()
    {
        if (!_open)
        {
            return;
        }

        await _gate.WaitAsync(CancellationToken.None);
        _open = false;
        _gate.Release();
    }

    public ValueTask DisposeAsync() => new(CloseAsync());

    private void Dropped(int status, string reason)
    {
        NotRelayed(_logger, status, reason);
        _owner.Count(status, relayed: false);
    }

    [LoggerMessage(EventId = 2010, Level = LogLevel.Debug, Message = "Relayed interim response {Status} to the client")]
    private static partial void Relayed(ILogger logger, int status);

    [LoggerMessage(EventId = 2011, Level = LogLevel.Debug, Message = "Interim response {Status} not relayed: {Reason}")]
    private static partial void NotRelayed(ILogger logger, int status, string reason);

    [LoggerMessage(EventId = 2012, Level = LogLevel.Debug, Message = "Interim response {Status} could not be written to the client: {Reason}")]
    private static partial void WriteFailed(ILogger logger, int status, string reason);
}
