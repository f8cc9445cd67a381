namespace EdgeProxy.Escalation;

/// <summary>Read-only view of the circuit breakers, one per origin destination of an escalating cluster (for dashboards and metrics).</summary>
internal interface ICircuitStates
{
    /// <summary>The breakers built so far (a destination gets one on its first request), with their current state.</summary>
    IReadOnlyList<CircuitStateSnapshot> Snapshot();
}
