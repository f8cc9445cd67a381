using System.Collections.Frozen;
using EdgeProxy.Origins;

namespace EdgeProxy.Escalation;

/// <summary>The effective escalation settings of one cluster (cluster entry over <c>OriginDefaults</c> over built-in defaults).</summary>
internal sealed class EscalationPolicy
{
    public static readonly int[] DefaultStatuses = [500, 502, 503, 504];
    public static readonly string[] DefaultTriggers = [Triggers.Refused, Triggers.ConnectTimeout, Triggers.HeaderTimeout, Triggers.Reset];
    public static readonly string[] DefaultMethods = ["GET", "HEAD"];
    public const long DefaultMaxBodySize = 64 * 1024;
    public static readonly TimeSpan DefaultDeadline = TimeSpan.FromSeconds(60);

    public required string ClusterId { get; init; }

    /// <summary>The cluster to escalate to; null when this cluster does not escalate.</summary>
    public string? Secondary { get; init; }

    public required FrozenSet<int> Statuses { get; init; }

    public required FrozenSet<OriginFailureKind> FailureTriggers { get; init; }

    public required FrozenSet<string> Methods { get; init; }

    public long MaxBodySize { get; init; }

    public TimeSpan Deadline { get; init; }

    public TimeSpan? SecondaryTtlCap { get; init; }

    public TimeSpan? HedgeDelay { get; init; }

    public required ResolvedBreakerOptions Breaker { get; init; }

    /// <summary>The trigger names of <c>EscalateOn</c>.</summary>
    public static class Triggers
    {
        public const string Refused = "refused";
        public const string ConnectTimeout = "connect-timeout";
        public const string HeaderTimeout = "header-timeout";
        public const string Reset = "reset";

        public static OriginFailureKind? KindOf(string trigger) => trigger.ToLowerInvariant() switch
        {
            Refused => OriginFailureKind.ConnectionRefused,
            ConnectTimeout => OriginFailureKind.ConnectTimeout,
            HeaderTimeout => OriginFailureKind.ResponseHeaderTimeout,
            Reset => OriginFailureKind.ResetBeforeHeaders,
            _ => null,
        };
    }

    public static EscalationPolicy Resolve(string clusterId, OriginOptions cluster, OriginOptions defaults)
    {
        var secondary = cluster.Secondary ?? defaults.Secondary;
        if (string.Equals(secondary, clusterId, StringComparison.OrdinalIgnoreCase))
        {
            secondary = null; // OriginDefaults:Secondary does not make the secondary escalate to itself
        }

        var triggers = new HashSet<OriginFailureKind>();
        foreach (var name in cluster.EscalateOn ?? defaults.EscalateOn ?? [.. DefaultTriggers])
        {
            if (Triggers.KindOf(name) is { } kind)
            {
                triggers.Add(kind);
            }
        }

        return new EscalationPolicy
        {
            ClusterId = clusterId,
            Secondary = secondary,
            Statuses = (cluster.EscalateStatuses ?? defaults.EscalateStatuses ?? [.. DefaultStatuses]).ToFrozenSet(),
            FailureTriggers = triggers.ToFrozenSet(),
            Methods = (cluster.EscalateMethods ?? defaults.EscalateMethods ?? [.. DefaultMethods]).ToFrozenSet(StringComparer.OrdinalIgnoreCase),
            MaxBodySize = cluster.EscalateMaxBodySize ?? defaults.EscalateMaxBodySize ?? DefaultMaxBodySize,
            Deadline = cluster.Deadline ?? defaults.Deadline ?? DefaultDeadline,
            SecondaryTtlCap = cluster.SecondaryTtlCap ?? defaults.SecondaryTtlCap,
            HedgeDelay = cluster.HedgeDelay ?? defaults.HedgeDelay,
            Breaker = ResolvedBreakerOptions.Resolve(cluster.Breaker, defaults.Breaker),
        };
    }
}

/// <summary>The effective breaker settings of one cluster, in Polly's terms.</summary>
internal sealed record ResolvedBreakerOptions(bool Enabled, double FailureRatio, int MinimumThroughput, TimeSpan SamplingDuration, TimeSpan BreakDuration)
{
    public const int DefaultFailureThreshold = 3;
    public const int DefaultMinimumThroughput = 10;
    public static readonly TimeSpan DefaultSamplingDuration = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan DefaultBreakDuration = TimeSpan.FromSeconds(5);

    public static ResolvedBreakerOptions Resolve(CircuitBreakerOptions? cluster, CircuitBreakerOptions? defaults)
    {
        var ratio = cluster?.FailureRatio ?? defaults?.FailureRatio;
        var minimum = ratio is null
            ? cluster?.FailureThreshold ?? defaults?.FailureThreshold ?? DefaultFailureThreshold
            : cluster?.MinimumThroughput ?? defaults?.MinimumThroughput ?? DefaultMinimumThroughput;
        return new ResolvedBreakerOptions(
            cluster?.Enabled ?? defaults?.Enabled ?? true,
            ratio ?? 1.0,
            minimum,
            cluster?.SamplingDuration ?? defaults?.SamplingDuration ?? DefaultSamplingDuration,
            cluster?.BreakDuration ?? defaults?.BreakDuration ?? DefaultBreakDuration);
    }
}
