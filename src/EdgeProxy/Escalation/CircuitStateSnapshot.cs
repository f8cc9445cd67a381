using Polly.CircuitBreaker;

namespace EdgeProxy.Escalation;

/// <summary>The state of one destination's circuit breaker at one moment.</summary>
internal readonly record struct CircuitStateSnapshot(string ClusterId, string Destination, CircuitState State)
{
    /// <summary>"closed", "open", "half-open" or "isolated".</summary>
    public string StateName => Name(State);

    public static string Name(CircuitState state) => state switch
    {
        CircuitState.Closed => "closed",
        CircuitState.Open => "open",
        CircuitState.HalfOpen => "half-open",
        CircuitState.Isolated => "isolated",
        _ => "unknown",
    };
}
