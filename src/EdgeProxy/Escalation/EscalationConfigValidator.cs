using EdgeProxy.Configuration;
using EdgeProxy.Origins;

namespace EdgeProxy.Escalation;

/// <summary>Semantic checks of the escalation keys, each error naming its key (called by <see cref="EdgeProxyConfigValidator"/>).</summary>
internal static class EscalationConfigValidator
{
    private static readonly TimeSpan PollyMinimum = TimeSpan.FromMilliseconds(500);

    public static void Validate(IConfiguration configuration, EdgeProxyOptions options, List<string> errors)
    {
        const string root = EdgeProxyOptions.SectionName;
        ValidateOrigin($"{root}:OriginDefaults", options.OriginDefaults, errors);
        foreach (var (id, origin) in options.Clusters)
        {
            ValidateOrigin($"{root}:Clusters:{id}", origin, errors);
        }

        // A cluster that escalates with a breaker must not also run YARP's passive health checks: both would
        // take the destination out, on different counts and for different durations (docs/architecture.md).
        foreach (var cluster in configuration.GetSection("ReverseProxy:Clusters").GetChildren())
        {
            if (!string.Equals(cluster["HealthCheck:Passive:Enabled"], "true", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var own = options.Clusters.TryGetValue(cluster.Key, out var o) ? o : new OriginOptions();
            var policy = EscalationPolicy.Resolve(cluster.Key, own, options.OriginDefaults);
            if (policy.Secondary is not null && policy.Breaker.Enabled)
            {
                errors.Add($"ReverseProxy:Clusters:{cluster.Key}:HealthCheck:Passive:Enabled: cluster '{cluster.Key}' escalates to '{policy.Secondary}' with a circuit breaker; "
                    + $"use one mechanism (disable passive health checks, or set {root}:Clusters:{cluster.Key}:Breaker:Enabled to false)");
            }
        }
    }

    private static void ValidateOrigin(string key, OriginOptions origin, List<string> errors)
    {
        if (origin.EscalateStatuses is { } statuses)
        {
            for (var i = 0; i < statuses.Count; i++)
            {
                if (statuses[i] is < 400 or > 599)
                {
                    errors.Add($"{key}:EscalateStatuses:{i}: {statuses[i]} is not an error status (400-599)");
                }
            }
        }

        if (origin.EscalateOn is { } triggers)
        {
            for (var i = 0; i < triggers.Count; i++)
            {
                if (EscalationPolicy.Triggers.KindOf(triggers[i] ?? string.Empty) is null)
                {
                    errors.Add($"{key}:EscalateOn:{i}: unknown trigger '{triggers[i]}' (refused, connect-timeout, header-timeout, reset)");
                }
            }
        }

        if (origin.EscalateMethods is { } methods)
        {
            for (var i = 0; i < methods.Count; i++)
            {
                if (string.IsNullOrWhiteSpace(methods[i]) || methods[i].Any(c => !char.IsAsciiLetter(c)))
                {
                    errors.Add($"{key}:EscalateMethods:{i}: '{methods[i]}' is not an HTTP method");
                }
            }
        }

        if (origin.EscalateMaxBodySize is < 0)
        {
            errors.Add($"{key}:EscalateMaxBodySize: must not be negative");
        }

        Positive($"{key}:Deadline", origin.Deadline, errors);
        Positive($"{key}:SecondaryTtlCap", origin.SecondaryTtlCap, errors);
        Positive($"{key}:HedgeDelay", origin.HedgeDelay, errors);
        if (origin.Breaker is { } breaker)
        {
            ValidateBreaker($"{key}:Breaker", breaker, errors);
        }
    }

    private static void ValidateBreaker(string key, CircuitBreakerOptions breaker, List<string> errors)
    {
        if (breaker.FailureThreshold is < 2)
        {
            errors.Add($"{key}:FailureThreshold: must be at least 2 (Polly's minimum throughput)");
        }

        if (breaker.MinimumThroughput is < 2)
        {
            errors.Add($"{key}:MinimumThroughput: must be at least 2");
        }

        if (breaker.FailureRatio is { } ratio && (ratio <= 0 || ratio > 1 || double.IsNaN(ratio)))
        {
            errors.Add($"{key}:FailureRatio: must be greater than 0 and at most 1");
        }

        if (breaker.SamplingDuration is { } sampling && sampling < PollyMinimum)
        {
            errors.Add($"{key}:SamplingDuration: must be at least 00:00:00.500");
        }

        if (breaker.BreakDuration is { } breakDuration && breakDuration < PollyMinimum)
        {
            errors.Add($"{key}:BreakDuration: must be at least 00:00:00.500");
        }
    }

    private static void Positive(string key, TimeSpan? value, List<string> errors)
    {
        if (value is { } v && v <= TimeSpan.Zero)
        {
            errors.Add($"{key}: must be positive (was {v})");
        }
    }
}
