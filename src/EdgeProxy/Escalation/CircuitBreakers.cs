using System.Collections.Concurrent;
using EdgeProxy.Origins;
using Polly;
using Polly.CircuitBreaker;

namespace EdgeProxy.Escalation;

/// <summary>
/// One Polly.Core circuit breaker per destination of each escalating cluster, built on the destination's
/// first request from the cluster's <see cref="EscalationPolicy"/> and rebuilt (state reset) when the
/// configuration reloads. A failure is a trigger of the policy (refused, connect timeout, silent origin,
/// reset before headers, an escalating status) or the deadline; success is anything else the origin said.
/// </summary>
internal sealed partial class CircuitBreakers : ICircuitStates
{
    private readonly TimeProvider _time;
    private readonly EscalationMetrics _metrics;
    private readonly ILogger<CircuitBreakers> _logger;
    private ConcurrentDictionary<(string ClusterId, string Destination), DestinationBreaker> _breakers = new();

    public CircuitBreakers(EscalationSettings settings, TimeProvider time, EscalationMetrics metrics, ILogger<CircuitBreakers> logger)
    {
        _time = time;
        _metrics = metrics;
        _logger = logger;
        settings.Changed += () => _breakers = new();
        metrics.ObserveCircuits(this);
    }

    /// <summary>The breaker of <paramref name="destination"/> in the policy's cluster; null when the cluster's breaker is disabled.</summary>
    public DestinationBreaker? For(EscalationPolicy policy, string destination)
    {
        if (!policy.Breaker.Enabled)
        {
            return null;
        }

        var breakers = _breakers;
        if (breakers.TryGetValue((policy.ClusterId, destination), out var existing) && ReferenceEquals(existing.Policy, policy))
        {
            return existing;
        }

        return breakers.AddOrUpdate(
            (policy.ClusterId, destination),
            static (key, state) => state.Self.Build(key.ClusterId, key.Destination, state.Policy),
            static (key, old, state) => ReferenceEquals(old.Policy, state.Policy) ? old : state.Self.Build(key.ClusterId, key.Destination, state.Policy),
            (Self: this, Policy: policy));
    }

    /// <summary>Whether the destination's circuit is open right now (no breaker: never).</summary>
    public bool IsOpen(EscalationPolicy policy, string destination) =>
        policy.Breaker.Enabled
        && _breakers.TryGetValue((policy.ClusterId, destination), out var breaker)
        && breaker.State.CircuitState is CircuitState.Open or CircuitState.Isolated;

    public IReadOnlyList<CircuitStateSnapshot> Snapshot()
    {
        var list = new List<CircuitStateSnapshot>();
        foreach (var (key, breaker) in _breakers)
        {
            list.Add(new CircuitStateSnapshot(key.ClusterId, key.Destination, breaker.State.CircuitState));
        }

        return list;
    }

    /// <summary>Whether an attempt counts against the destination's circuit.</summary>
    internal static bool IsFailure(EscalationPolicy policy, in OriginAttempt attempt) =>
        attempt.Failure is OriginFailureKind.Status or OriginFailureKind.DeadlineExceeded
        || policy.FailureTriggers.Contains(attempt.Failure);

    private DestinationBreaker Build(string clusterId, string destination, EscalationPolicy policy)
    {
        var provider = new CircuitBreakerStateProvider();
        var options = policy.Breaker;
        var breakerOptions = new CircuitBreakerStrategyOptions<OriginAttempt>
        {
            FailureRatio = options.FailureRatio,
            MinimumThroughput = options.MinimumThroughput,
            SamplingDuration = options.SamplingDuration,
            BreakDuration = options.BreakDuration,
            StateProvider = provider,
            ShouldHandle = args => new ValueTask<bool>(args.Outcome.Exception is { } ex
                ? ex is not OperationCanceledException
                : IsFailure(policy, args.Outcome.Result)),
            OnOpened = args =>
            {
                CircuitOpened(_logger, clusterId, destination, args.BreakDuration.TotalMilliseconds, OriginFailureClassifier.Describe(args.Outcome.Result.Failure));
                _metrics.CircuitChanged(clusterId, destination, "open");
                return default;
            },
            OnHalfOpened = _ =>
            {
                CircuitHalfOpened(_logger, clusterId, destination);
                _metrics.CircuitChanged(clusterId, destination, "half-open");
                return default;
            },
            OnClosed = _ =>
            {
                CircuitClosed(_logger, clusterId, destination);
                _metrics.CircuitChanged(clusterId, destination, "closed");
                return default;
            },
        };
        var pipeline = new ResiliencePipelineBuilder<OriginAttempt> { TimeProvider = _time, Name = "edgeproxy-origin-breaker", InstanceName = clusterId + " " + destination }
            .AddCircuitBreaker(breakerOptions)
            .Build();
        return new DestinationBreaker(policy, pipeline, provider);
    }

    [LoggerMessage(EventId = 4010, Level = LogLevel.Warning, Message = "Circuit of {Destination} (cluster {ClusterId}) opened for {BreakMs} ms after {Failure}: requests go straight to the secondary")]
    private static partial void CircuitOpened(ILogger logger, string clusterId, string destination, double breakMs, string failure);

    [LoggerMessage(EventId = 4011, Level = LogLevel.Information, Message = "Circuit of {Destination} (cluster {ClusterId}) half-open: the next request probes it")]
    private static partial void CircuitHalfOpened(ILogger logger, string clusterId, string destination);

    [LoggerMessage(EventId = 4012, Level = LogLevel.Information, Message = "Circuit of {Destination} (cluster {ClusterId}) closed")]
    private static partial void CircuitClosed(ILogger logger, string clusterId, string destination);
}

/// <summary>One destination's breaker: the pipeline that runs its attempts, and its state.</summary>
internal sealed record DestinationBreaker(EscalationPolicy Policy, ResiliencePipeline<OriginAttempt> Pipeline, CircuitBreakerStateProvider State);
