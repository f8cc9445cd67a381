namespace EdgeProxy.Admin;

/// <summary>
/// The admin listener: health endpoints (and later metrics, purge) on their own port so they never
/// shadow an origin path. Its address is the Kestrel endpoint named <see cref="EndpointName"/>.
/// </summary>
public sealed class AdminOptions
{
    /// <summary>Name of the Kestrel endpoint (<c>Kestrel:Endpoints:Admin</c>) that serves admin requests.</summary>
    public const string EndpointName = "Admin";

    /// <summary>Name of the Kestrel endpoint that serves proxied traffic.</summary>
    public const string ProxyEndpointName = "Proxy";
}
