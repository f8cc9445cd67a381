namespace EdgeProxy.Escalation;

/// <summary>
/// The per-destination circuit breaker of a cluster that has a secondary (Polly.Core's ratio breaker).
/// Every value is optional so a cluster can override one of <c>OriginDefaults:Breaker</c>.
/// By default it opens after <see cref="FailureThreshold"/> consecutive failures (ratio 1.0 with that
/// minimum throughput); set <see cref="FailureRatio"/> for a ratio breaker over <see cref="SamplingDuration"/>.
/// </summary>
public sealed class CircuitBreakerOptions
{
    /// <summary>Whether the breaker runs at all. Default true.</summary>
    public bool? Enabled { get; set; }

    /// <summary>Consecutive failures (within <see cref="SamplingDuration"/>) that open the circuit. Default 3; at least 2.</summary>
    public int? FailureThreshold { get; set; }

    /// <summary>Ratio mode: open when this share of the sampled attempts failed (0 &lt; r ≤ 1). Default: unset (consecutive mode).</summary>
    public double? FailureRatio { get; set; }

    /// <summary>Ratio mode: attempts needed in the window before the ratio counts. Default 10; at least 2.</summary>
    public int? MinimumThroughput { get; set; }

    /// <summary>Window in which failures are counted. Default 30 s; at least 0.5 s.</summary>
    public TimeSpan? SamplingDuration { get; set; }

    /// <summary>How long the circuit stays open before one half-open probe is let through. Default 5 s; at least 0.5 s.</summary>
    public TimeSpan? BreakDuration { get; set; }
}
