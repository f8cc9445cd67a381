namespace EdgeProxy.Origins;

/// <summary>
/// How EdgeProxy talks to one origin cluster. Every value is optional so a cluster entry can override
/// just one of <see cref="Configuration.EdgeProxyOptions.OriginDefaults"/>.
/// </summary>
public sealed class OriginOptions
{
    /// <summary>Time allowed for the TCP (and TLS) connect. Default 5 s.</summary>
    public TimeSpan? ConnectTimeout { get; set; }

    /// <summary>Time from sending the request to receiving the response headers (a silent origin). Default 30 s.</summary>
    public TimeSpan? ResponseHeaderTimeout { get; set; }

    /// <summary>Longest pause allowed between two reads of the response body. Default 30 s.</summary>
    public TimeSpan? BodyIdleTimeout { get; set; }

    /// <summary>YARP cluster id to escalate to when this cluster fails (see the escalation docs).</summary>
    public string? Secondary { get; set; }

    // Escalation (docs/escalation.md); resolved by Escalation/EscalationSettings.

    /// <summary>Origin statuses that escalate to <see cref="Secondary"/>. Default 500, 502, 503, 504.</summary>
    public List<int>? EscalateStatuses { get; set; }

    /// <summary>Network failures that escalate: refused, connect-timeout, header-timeout, reset. Default all four.</summary>
    public List<string>? EscalateOn { get; set; }

    /// <summary>Methods that may be escalated after an attempt. Default GET, HEAD; others need a body of at most <see cref="EscalateMaxBodySize"/>.</summary>
    public List<string>? EscalateMethods { get; set; }

    /// <summary>Largest request body (bytes, Content-Length known) buffered so it can be sent again. Default 65536.</summary>
    public long? EscalateMaxBodySize { get; set; }

    /// <summary>Overall time for all attempts and the failover, until response headers are accepted. Default 60 s.</summary>
    public TimeSpan? Deadline { get; set; }

    /// <summary>Longest a response from the secondary may be cached. Default: no cap.</summary>
    public TimeSpan? SecondaryTtlCap { get; set; }

    /// <summary>Race the secondary when the primary has sent no response headers after this long (GET/HEAD and replayable requests). Default: no hedging.</summary>
    public TimeSpan? HedgeDelay { get; set; }

    /// <summary>Per-destination circuit breaker of this cluster (only used when it has a secondary).</summary>
    public Escalation.CircuitBreakerOptions? Breaker { get; set; }

    internal static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(5);
    internal static readonly TimeSpan DefaultResponseHeaderTimeout = TimeSpan.FromSeconds(30);
    internal static readonly TimeSpan DefaultBodyIdleTimeout = TimeSpan.FromSeconds(30);

    /// <summary>This cluster's values over <paramref name="defaults"/>, over the built-in defaults.</summary>
    internal ResolvedOriginOptions Resolve(OriginOptions defaults) => new(
        ConnectTimeout ?? defaults.ConnectTimeout ?? DefaultConnectTimeout,
        ResponseHeaderTimeout ?? defaults.ResponseHeaderTimeout ?? DefaultResponseHeaderTimeout,
        BodyIdleTimeout ?? defaults.BodyIdleTimeout ?? DefaultBodyIdleTimeout,
        Secondary ?? defaults.Secondary);
}

/// <summary>The effective origin settings of one cluster.</summary>
internal sealed record ResolvedOriginOptions(TimeSpan ConnectTimeout, TimeSpan ResponseHeaderTimeout, TimeSpan BodyIdleTimeout, string? Secondary);
