namespace EdgeProxy.Admin;

/// <summary>
/// The admin listener: health endpoints, metrics, the admin API and the dashboard on their own port so
/// they never shadow an origin path. Its address is the Kestrel endpoint named <see cref="EndpointName"/>.
/// </summary>
public sealed class AdminOptions
{
    /// <summary>Name of the Kestrel endpoint (<c>Kestrel:Endpoints:Admin</c>) that serves admin requests.</summary>
    public const string EndpointName = "Admin";

    /// <summary>Name of the Kestrel endpoint that serves proxied traffic.</summary>
    public const string ProxyEndpointName = "Proxy";

    /// <summary>
    /// The key the admin API wants in <c>Authorization: Bearer KEY</c> or <c>X-Api-Key: KEY</c>; at
    /// least 16 characters. Required when the admin endpoint is not bound to loopback. When unset (a
    /// loopback-only admin listener), the admin API is open to whoever can reach that port.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>Whether <c>/metrics</c> also wants the key (default true; set false for scrapers that cannot send one).</summary>
    public bool MetricsRequireKey { get; set; } = true;

    /// <summary>
    /// Client networks (CIDR, e.g. <c>10.0.0.0/8</c>) allowed to send the <c>PURGE</c> method on the proxy
    /// listener. Empty (the default) means loopback only.
    /// </summary>
    public List<string> PurgeAllowedNetworks { get; set; } = [];
}
