using System.Diagnostics;
using EdgeProxy.Observability;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace EdgeProxy.Origins;

/// <summary>
/// Sends a request to one cluster through YARP's <see cref="IHttpForwarder"/> (transforms, header
/// rules, streaming) and reports the outcome as an <see cref="OriginAttempt"/> with the failure
/// classified by phase. The context may be the client's or a detached one owned by a shared fill.
/// </summary>
internal sealed partial class OriginForwarder
{
    private readonly IHttpForwarder _forwarder;
    private readonly ILogger<OriginForwarder> _logger;
    private readonly EdgeProxyMetrics? _metrics;

    public OriginForwarder(IHttpForwarder forwarder, ILogger<OriginForwarder> logger, EdgeProxyMetrics? metrics = null)
    {
        _forwarder = forwarder;
        _logger = logger;
        _metrics = metrics;
    }

    public async ValueTask<OriginAttempt> SendAsync(HttpContext context, ClusterState cluster, IReadOnlyList<DestinationState> destinations, HttpTransformer transformer, CancellationToken cancellationToken)
    {
        var clusterModel = cluster.Model;
        if (destinations.Count == 0)
        {
            NoDestination(_logger, cluster.ClusterId);
            var none = new OriginAttempt(cluster.ClusterId, null, ForwarderError.NoAvailableDestinations, OriginFailureKind.NoDestination, null);
            _metrics?.OriginCompleted(none, TimeSpan.Zero);
            return none;
        }

        var destination = destinations.Count == 1 ? destinations[0] : destinations[Random.Shared.Next(destinations.Count)];
        var address = destination.Model.Config.Address;
        if (context.Features.Get<IReverseProxyFeature>() is { } proxyFeature)
        {
            proxyFeature.ProxiedDestination = destination;
        }

        var start = Stopwatch.GetTimestamp();
        var error = await _forwarder.SendAsync(context, address, clusterModel.HttpClient, clusterModel.Config.HttpRequest ?? ForwarderRequestConfig.Empty, transformer, cancellationToken);
        if (error == ForwarderError.None)
        {
            var ok = new OriginAttempt(cluster.ClusterId, address, error, OriginFailureKind.None, null);
            _metrics?.OriginCompleted(ok, Stopwatch.GetElapsedTime(start));
            return ok;
        }

        var exception = context.Features.Get<IForwarderErrorFeature>()?.Exception;
        var kind = OriginFailureClassifier.Classify(error, exception, context.RequestAborted.IsCancellationRequested || cancellationToken.IsCancellationRequested);
        if (kind != OriginFailureKind.ClientAborted)
        {
            OriginFailed(_logger, cluster.ClusterId, address, OriginFailureClassifier.Describe(kind), error, exception?.Message ?? "-");
        }

        var failed = new OriginAttempt(cluster.ClusterId, address, error, kind, exception);
        _metrics?.OriginCompleted(failed, Stopwatch.GetElapsedTime(start));
        return failed;
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "Origin {Destination} of cluster {ClusterId} failed: {Failure} ({ForwarderError}: {Reason})")]
    private static partial void OriginFailed(ILogger logger, string clusterId, string destination, string failure, ForwarderError forwarderError, string reason);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Cluster {ClusterId} has no available destination")]
    private static partial void NoDestination(ILogger logger, string clusterId);
}
