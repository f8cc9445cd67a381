using System.Diagnostics.Metrics;
using EdgeProxy.Observability;

namespace EdgeProxy.Escalation;

/// <summary>
/// Escalation's instruments on the product meter: escalations by cluster and reason, circuit state
/// changes, the current state per destination, and origin attempts per request.
/// </summary>
internal sealed class EscalationMetrics
{
    private readonly Meter _meter;
    private readonly Counter<long> _escalations;
    private readonly Counter<long> _circuitTransitions;
    private readonly Histogram<int> _attempts;

    public EscalationMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(EdgeProxyMeter.Name);
        _escalations = _meter.CreateCounter<long>("edgeproxy.escalation.escalations", "{request}", "Requests sent to a cluster's secondary, by cluster and reason");
        _circuitTransitions = _meter.CreateCounter<long>("edgeproxy.escalation.circuit_transitions", "{transition}", "Circuit breaker state changes, by cluster, destination and new state");
        _attempts = _meter.CreateHistogram<int>("edgeproxy.escalation.attempts", "{attempt}", "Origin attempts per request of an escalating cluster");
    }

    public void Escalated(string clusterId, string reason) =>
        _escalations.Add(1, new KeyValuePair<string, object?>("cluster", clusterId), new KeyValuePair<string, object?>("reason", reason));

    public void CircuitChanged(string clusterId, string destination, string state) =>
        _circuitTransitions.Add(1,
            new KeyValuePair<string, object?>("cluster", clusterId),
            new KeyValuePair<string, object?>("destination", destination),
            new KeyValuePair<string, object?>("state", state));

    public void Attempts(string clusterId, int attempts) =>
        _attempts.Record(attempts, new KeyValuePair<string, object?>("cluster", clusterId));

    /// <summary>An observable gauge of every breaker's state (0 closed, 1 open, 2 half-open, 3 isolated).</summary>
    public void ObserveCircuits(ICircuitStates states) =>
        _meter.CreateObservableGauge("edgeproxy.escalation.circuit_state", () => Observe(states), "{state}", "Circuit state per destination: 0 closed, 1 open, 2 half-open, 3 isolated");

    private static IEnumerable<Measurement<int>> Observe(ICircuitStates states)
    {
        foreach (var circuit in states.Snapshot())
        {
            yield return new Measurement<int>((int)circuit.State,
                new KeyValuePair<string, object?>("cluster", circuit.ClusterId),
                new KeyValuePair<string, object?>("destination", circuit.Destination));
        }
    }
}
