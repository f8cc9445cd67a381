using System.Diagnostics.Metrics;
using EdgeProxy.Origins;

namespace EdgeProxy.Observability;

/// <summary>
/// The request-level instruments on the <see cref="EdgeProxyMeter.Name"/> meter: requests by cache
/// result, bytes to clients by source, request duration, and origin requests and durations by cluster,
/// destination and outcome. Other capabilities add their own instruments to the same meter.
/// </summary>
internal sealed class EdgeProxyMetrics
{
    private readonly Counter<long> _requests;
    private readonly Counter<long> _bytes;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _originRequests;
    private readonly Histogram<double> _originDuration;

    public EdgeProxyMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(EdgeProxyMeter.Name);
        _requests = meter.CreateCounter<long>("edgeproxy.requests", "{request}", "Client requests on the proxy listener, by cache result, status class and collapsed role");
        _bytes = meter.CreateCounter<long>("edgeproxy.response.body", "By", "Response body bytes sent to clients, by source (cache, origin, none)");
        _duration = meter.CreateHistogram<double>("edgeproxy.request.duration", "s", "Time from request start to the end of the response, by cache result");
        _originRequests = meter.CreateCounter<long>("edgeproxy.origin.requests", "{request}", "Requests sent to origins, by cluster, destination and outcome");
        _originDuration = meter.CreateHistogram<double>("edgeproxy.origin.duration", "s", "Time from sending to an origin until its response was relayed or failed, by cluster and outcome");
        meter.CreateObservableGauge("edgeproxy.process.gc.heap", static () => GC.GetTotalMemory(forceFullCollection: false), "By", "Bytes the GC heap holds in objects now (GC.GetTotalMemory)");
        meter.CreateObservableGauge("edgeproxy.process.gc.committed", static () => GC.GetGCMemoryInfo().TotalCommittedBytes, "By", "Bytes the GC had committed at the last collection");
    }

    /// <summary>Called once per client request when it ends.</summary>
    public void RequestCompleted(ProxyRequestFeature feature, int status, TimeSpan duration) =>
        Record(feature.CacheResult, StatusClass(status), feature.CollapsedRole, feature.BytesSent, feature.BytesSent > 0 ? SourceOf(feature) : null, duration);

    /// <summary>A fresh hit answered by the hit lane (<see cref="Caching.HitLane"/>): what <see cref="RequestCompleted"/> records for one.</summary>
    public void HitCompleted(long bytesSent, TimeSpan duration) => Record("HIT", "2xx", "-", bytesSent, "cache", duration);

    private void Record(string cacheResult, string statusClass, string collapsedRole, long bytesSent, string? source, TimeSpan duration)
    {
        var result = new KeyValuePair<string, object?>("cache_result", cacheResult);
        _requests.Add(1, result, new KeyValuePair<string, object?>("status_class", statusClass), new KeyValuePair<string, object?>("collapsed_role", collapsedRole));
        _duration.Record(duration.TotalSeconds, result);
        if (bytesSent > 0)
        {
            _bytes.Add(bytesSent, new KeyValuePair<string, object?>("source", source));
        }
    }

    /// <summary>Called once per origin attempt.</summary>
    public void OriginCompleted(in OriginAttempt attempt, TimeSpan duration)
    {
        var cluster = new KeyValuePair<string, object?>("cluster", attempt.ClusterId);
        var outcome = new KeyValuePair<string, object?>("outcome", attempt.Succeeded ? "ok" : OriginFailureClassifier.Describe(attempt.Failure));
        _originRequests.Add(1, cluster, new KeyValuePair<string, object?>("destination", attempt.Destination ?? "-"), outcome);
        _originDuration.Record(duration.TotalSeconds, cluster, outcome);
    }

    internal static string SourceOf(ProxyRequestFeature feature)
    {
        // Cache results whose body came from this node's cache, as the caching layer writes them (CachingMiddleware.Record).
        if (feature.CacheResult is "HIT" or "STALE" or "REVALIDATED" || (feature.Attempts == 0 && feature.CacheResult != "-"))
        {
            return "cache";
        }

        return feature.Attempts > 0 ? "origin" : "none";
    }

    private static string StatusClass(int status) => status switch
    {
        >= 100 and < 200 => "1xx",
        < 300 => "2xx",
        < 400 => "3xx",
        < 500 => "4xx",
        _ => "5xx",
    };
}
