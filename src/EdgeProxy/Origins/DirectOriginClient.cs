using Yarp.ReverseProxy.Model;

namespace EdgeProxy.Origins;

/// <summary>Sends to the route's own cluster, once, through <see cref="OriginForwarder"/>.</summary>
internal sealed class DirectOriginClient : IOriginClient
{
    private readonly OriginForwarder _forwarder;

    public DirectOriginClient(OriginForwarder forwarder) => _forwarder = forwarder;

    public ValueTask<OriginAttempt> SendAsync(HttpContext context, RouteModel route, IReadOnlyList<DestinationState> destinations, CancellationToken cancellationToken) =>
        _forwarder.SendAsync(context, route.Cluster!, destinations, route.Transformer, cancellationToken);
}
