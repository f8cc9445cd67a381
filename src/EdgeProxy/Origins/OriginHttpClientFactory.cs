using System.Net;
using System.Net.Sockets;
using Yarp.ReverseProxy.Forwarder;

namespace EdgeProxy.Origins;

/// <summary>
/// YARP's per-cluster HttpClient with EdgeProxy's phase timeouts: our own connect step (so a connect
/// timeout is told apart from a refused connection and from a silent origin), and
/// <see cref="OriginTimeoutHandler"/> for the response-header and body-idle timeouts. One stream per connection
/// (<see cref="WatchPlaintext"/>) signals request writes to the request's <see cref="HeaderClock"/> and, on HTTP/1.x
/// (<see cref="InterimScanningStream"/>), hands interim responses to the request's <see cref="InterimSink"/>.
/// </summary>
internal sealed class OriginHttpClientFactory : ForwarderHttpClientFactory
{
    private readonly OriginSettings _settings;
    private readonly TimeProvider _time;

    public OriginHttpClientFactory(ILogger<ForwarderHttpClientFactory> logger, OriginSettings settings, TimeProvider time)
        : base(logger)
    {
        _settings = settings;
        _time = time;
    }

    protected override void ConfigureHandler(ForwarderHttpClientContext context, SocketsHttpHandler handler)
    {
        base.ConfigureHandler(context, handler);
        var clusterId = context.ClusterId;
        var settings = _settings;
        handler.ConnectCallback = (connect, cancellationToken) => ConnectAsync(connect.DnsEndPoint, settings.For(clusterId).ConnectTimeout, cancellationToken);

        handler.PlaintextStreamFilter = WatchPlaintext;
    }

    /// <summary>
    /// One watching stream per connection, after TLS: request writes start the request's <see cref="HeaderClock"/>;
    /// on HTTP/1.x the same stream also watches reads for interim (1xx) responses to relay (HTTP/2 is not scanned).
    /// </summary>
    internal static ValueTask<Stream> WatchPlaintext(SocketsHttpPlaintextStreamFilterContext filter, CancellationToken cancellationToken) =>
        ValueTask.FromResult<Stream>(filter.NegotiatedHttpVersion.Major == 1
            ? new InterimScanningStream(filter.PlaintextStream)
            : new SignalingStream(filter.PlaintextStream));

    protected override HttpMessageHandler WrapHandler(ForwarderHttpClientContext context, HttpMessageHandler handler) =>
        new OriginTimeoutHandler(base.WrapHandler(context, handler), context.ClusterId, _settings, _time);

    internal static async ValueTask<Stream> ConnectAsync(DnsEndPoint endPoint, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await socket.ConnectAsync(endPoint, deadline.Token);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new OriginTimeoutException(OriginFailureKind.ConnectTimeout, timeout);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
