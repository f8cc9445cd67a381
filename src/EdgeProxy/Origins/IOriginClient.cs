using Yarp.ReverseProxy.Model;

namespace EdgeProxy.Origins;

/// <summary>
/// The one way every layer reaches an origin: send the request in <paramref name="context"/> (the
/// client's, or a detached one owned by a shared cache fill) for <paramref name="route"/>, and report
/// the outcome as data. The default sends to the route's cluster once; escalation decorates it.
/// </summary>
internal interface IOriginClient
{
    ValueTask<OriginAttempt> SendAsync(HttpContext context, RouteModel route, IReadOnlyList<DestinationState> destinations, CancellationToken cancellationToken);
}
