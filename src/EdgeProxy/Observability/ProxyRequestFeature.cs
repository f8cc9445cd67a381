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

    /// <summary>The RFC 9211 <c>Cache-Status</c> value this node added, if any.</summary>
    public string? CacheStatus { get; set; }

    /// <summary>This request's part in a collapsed fill: "-", "writer" (began the fill) or "waiter" (joined one).</summary>
    public string CollapsedRole { get; set; } = "-";

    /// <summary>Why the request was escalated to a secondary origin, if it was (e.g. "refused", "status-503").</summary>
    public string? EscalationReason { get; set; }

    /// <summary>
    /// Set by escalation when a secondary origin answered and its cluster caps how long such answers
    /// are kept: the caching layer stores the response for at most this long.
    /// </summary>
    public TimeSpan? CacheTtlCap { get; set; }

    /// <summary>Origin attempts made for this request (0 when served from cache).</summary>
    public int Attempts { get; set; }

    /// <summary>Milliseconds from the request's start until the response headers or first body bytes were sent (null until then).</summary>
    public double? TimeToFirstByteMs { get; set; }

    /// <summary>Response body bytes written to the client.</summary>
    public long BytesSent { get; set; }
}
