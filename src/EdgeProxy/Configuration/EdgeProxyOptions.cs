using EdgeProxy.Admin;
using EdgeProxy.Caching;
using EdgeProxy.Demo;
using EdgeProxy.Observability;
using EdgeProxy.Origins;
using EdgeProxy.Server;

namespace EdgeProxy.Configuration;

/// <summary>
/// EdgeProxy's own settings: the <c>EdgeProxy</c> configuration section. Routes, clusters and
/// destinations stay in YARP's <c>ReverseProxy</c> section; per-cluster origin behaviour is keyed by
/// YARP cluster id under <see cref="Clusters"/>.
/// </summary>
public sealed class EdgeProxyOptions
{
    public const string SectionName = "EdgeProxy";

    /// <summary>Name this node puts in <c>Via</c> (RFC 9110 7.6.3) and <c>Cache-Status</c>.</summary>
    public string NodeName { get; set; } = "edgeproxy";

    /// <summary>Origin timeouts applied to every cluster unless <see cref="Clusters"/> overrides them.</summary>
    public OriginOptions OriginDefaults { get; set; } = new();

    /// <summary>Per-cluster origin settings, keyed by the YARP cluster id. Unset values fall back to <see cref="OriginDefaults"/>.</summary>
    public Dictionary<string, OriginOptions> Clusters { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public AdminOptions Admin { get; set; } = new();

    /// <summary>The shared cache and collapsed forwarding.</summary>
    public CachingOptions Caching { get; set; } = new();

    public AccessLogOptions AccessLog { get; set; } = new();

    public ObservabilityOptions Observability { get; set; } = new();

    public LifecycleOptions Lifecycle { get; set; } = new();

    /// <summary>Kestrel's connection buffers.</summary>
    public TransportOptions Transport { get; set; } = new();

    /// <summary>The start-up warm-up: <c>Enabled</c>, <c>Timeout</c>.</summary>
    public WarmupOptions Warmup { get; set; } = new();

    public DemoOriginOptions DemoOrigin { get; set; } = new();
}
