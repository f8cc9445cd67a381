using System.Diagnostics.Metrics;
using EdgeProxy.Observability;

namespace EdgeProxy.Server;

/// <summary>
/// What <see cref="FairTurns"/> did, as one counter: requests parked behind another connection of their I/O thread, by
/// what ran them (<c>after_another</c>: the thread's next connection; <c>timer</c>: the fallback, no other came along).
/// Process-wide figures, like the I/O threads.
/// </summary>
internal sealed class FairTurnsMetrics
{
    public FairTurnsMetrics(IMeterFactory meterFactory)
    {
        meterFactory.Create(EdgeProxyMeter.Name).CreateObservableCounter(
            "edgeproxy.transport.fair_turns.parked",
            static () =>
            {
                var byTimer = FairTurns.RanByFallback;
                return new[]
                {
                    new Measurement<long>(Math.Max(0, FairTurns.Parked - byTimer), new KeyValuePair<string, object?>("ran", "after_another")),
                    new Measurement<long>(byTimer, new KeyValuePair<string, object?>("ran", "timer")),
                };
            },
            "{request}",
            "Requests that waited for their I/O thread to serve another connection first (EdgeProxy:Transport:FairTurnStreak)");
    }
}
