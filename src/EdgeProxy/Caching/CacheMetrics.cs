using System.Diagnostics.Metrics;
using EdgeProxy.Observability;

namespace EdgeProxy.Caching;

/// <summary>
/// Cache and collapsing instruments on the product meter, and the hit/miss counts <c>/admin/stats</c> reports.
/// Requests and body bytes by cache result are counted once, by the access-log middleware
/// (<c>edgeproxy.requests{cache_result}</c>, <c>edgeproxy.response.body{source}</c>), not again here.
/// </summary>
internal sealed class CacheMetrics
{
    private readonly Counter<long> _fills;
    private readonly Histogram<int> _waiters;
    private readonly Counter<long> _waitBounds;
    private long _hits;
    private long _misses;

    public CacheMetrics(IMeterFactory meterFactory, MemoryCacheStore store)
    {
        var meter = meterFactory.Create(EdgeProxyMeter.Name);
        _fills = meter.CreateCounter<long>("edgeproxy.cache.fills", description: "Origin fetches started by the cache (each shared by its waiters).");
        _waiters = meter.CreateHistogram<int>("edgeproxy.cache.fill.waiters", description: "Requests that joined a fill besides the one that started it.");
        _waitBounds = meter.CreateCounter<long>("edgeproxy.cache.wait_bounds", description: "Waiters that hit the waiter cap or the header wait bound.");
        meter.CreateObservableGauge("edgeproxy.cache.entries", () => store.UrlCount, description: "URLs stored.");
        meter.CreateObservableGauge("edgeproxy.cache.size", () => store.Bytes, "By", "Bytes charged to stored entries.");
        meter.CreateObservableCounter("edgeproxy.cache.evictions", () => store.Evictions, description: "Entries evicted to make room.");
    }

    public long Hits => Interlocked.Read(ref _hits);

    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>One request answered from the cache (<paramref name="hit"/>) or not.</summary>
    public void Count(bool hit)
    {
        if (hit)
        {
            Interlocked.Increment(ref _hits);
        }
        else
        {
            Interlocked.Increment(ref _misses);
        }
    }

    public void FillStarted() => _fills.Add(1);

    public void FillEnded(int waiters) => _waiters.Record(waiters);

    public void WaitBound(string bound, string action) =>
        _waitBounds.Add(1, new KeyValuePair<string, object?>("bound", bound), new KeyValuePair<string, object?>("action", action));
}
