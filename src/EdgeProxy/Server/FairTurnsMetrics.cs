using System.Diagnostics.Metrics;
using EdgeProxy.Observability;

namespace EdgeProxy.Server;

/// <summary>
/// What <see cref="FairTurns"/> did, as one counter: requests parked behind another connection of their I/O thread, by
/// what ran them (<c>after_another</c>: the thread's next connection; <c>timer</c>: the fallback, no other came along);
/// and requests handed to the thread pool at the end of a long run that could not be parked. Process-wide figures, like
/// the I/O threads.
/// </summary>
internal sealed class FairTurnsMetrics
{
    public FairTurnsMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(EdgeProxyMeter.Name);
        meter.CreateObservableCounter(
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
        meter.CreateObservableCounter(
            "edgeproxy.transport.fair_turns.handed_off",
            static () => FairTurns.HandedOff,
            "{request}",
            "Requests handed to the thread pool after a connection that looked alone on its I/O thread was served 16 times in a row");
    }
}
