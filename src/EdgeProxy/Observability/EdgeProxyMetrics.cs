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
    public void RequestCompleted(ProxyRequestFeature feature, int status, TimeSpan duration)
    {
        var result = new KeyValuePair<string, object?>("cache_result", feature.CacheResult);
        _requests.Add(1, result, new KeyValuePair<string, object?>("status_class", StatusClass(status)), new KeyValuePair<string, object?>("collapsed_role", feature.CollapsedRole));
        _duration.Record(duration.TotalSeconds, result);
        if (feature.BytesSent > 0)
        {
            _bytes.Add(feature.BytesSent, new KeyValuePair<string, object?>("source", SourceOf(feature)));
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
