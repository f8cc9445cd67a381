using EdgeProxy.Origins;

namespace EdgeProxy.Observability;

/// <summary>
/// Per-request facts the layers record for the access log and metrics: which route and origin served
/// it, what the cache did, and why an origin attempt failed. Set on entry by
/// <see cref="AccessLogMiddleware"/>, read when the response ends.
/// </summary>
public sealed class ProxyRequestFeature
{
    public string? RouteId { get; set; }

    public string? ClusterId { get; set; }

    /// <summary>The destination address that answered (or was last tried).</summary>
    public string? Origin { get; set; }

    /// <summary>What the cache did ("-" until the caching layer fills it: HIT, MISS, BYPASS, ...).</summary>
    public string CacheResult { get; set; } = "-";

    /// <summary>Why the origin attempt failed, if it did.</summary>
    public OriginFailureKind Failure { get; set; }

    /// <summary>A short human explanation of the failure or decision, for the log line.</summary>
    public string? Detail { get; set; }

    /// <summary>Response body bytes written to the client.</summary>
    public long BytesSent { get; set; }
}
