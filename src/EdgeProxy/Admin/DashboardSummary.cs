using System.Text.Json;
using EdgeProxy.Caching;
using EdgeProxy.Observability.Metrics;

namespace EdgeProxy.Admin;

/// <summary>
/// <c>GET /admin/dashboard.json</c>: the dashboard's data. Totals the page needs directly (requests,
/// hits, origin requests and failures, bytes by source), cache statistics when the cache is enabled,
/// and every instrument of the EdgeProxy meter with its series, so instruments other capabilities add
/// (collapsed fills, escalations, circuit states) show up without changes here.
/// </summary>
internal sealed class DashboardSummary
{
    private static readonly HashSet<string> Hits = new(StringComparer.OrdinalIgnoreCase) { "HIT", "STALE", "REVALIDATED" };

    private readonly PrometheusExporter _exporter;
    private readonly IServiceProvider _services;
    private readonly TimeProvider _time;

    public DashboardSummary(PrometheusExporter exporter, IServiceProvider services, TimeProvider? time = null)
    {
        _exporter = exporter;
        _services = services;
        _time = time ?? TimeProvider.System;
    }

    public void Write(Utf8JsonWriter w)
    {
        _exporter.Observe();
        var instruments = _exporter.Instruments.OrderBy(static i => i.Instrument.Name, StringComparer.Ordinal).ToList();
        double requests = 0, hits = 0, cacheable = 0, origin = 0, originFailed = 0;
        foreach (var aggregator in instruments)
        {
            foreach (var (tags, value) in aggregator.Snapshot())
            {
                if (aggregator.Instrument.Name == "edgeproxy.requests")
                {
                    requests += value.Value;
                    var result = Tag(tags, "cache_result");
                    if (result != "-")
                    {
                        cacheable += value.Value;
                    }

                    if (result is not null && Hits.Contains(result))
                    {
                        hits += value.Value;
                    }
                }
                else if (aggregator.Instrument.Name == "edgeproxy.origin.requests")
                {
                    origin += value.Value;
                    if (Tag(tags, "outcome") != "ok")
                    {
                        originFailed += value.Value;
                    }
                }
            }
        }

        w.WriteStartObject();
        w.WriteString("time", _time.GetUtcNow());
        w.WriteNumber("requests", requests);
        w.WriteNumber("hits", hits);
        var stats = _services.GetService<ICachePurger>()?.GetStatistics();
        var hitRatio = cacheable > 0 ? hits / cacheable
            : stats is { } s && s.Hits + s.Misses > 0 ? (double)s.Hits / (s.Hits + s.Misses)
            : 0;
        w.WriteNumber("hitRatio", hitRatio);
        w.WriteNumber("originRequests", origin);
        w.WriteNumber("originFailures", originFailed);
        w.WritePropertyName("cache");
        if (stats is not null)
        {
            AdminApi.WriteStatistics(w, stats);
        }
        else
        {
            w.WriteNullValue();
        }

        w.WriteStartArray("instruments");
        foreach (var aggregator in instruments)
        {
            WriteInstrument(w, aggregator);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteInstrument(Utf8JsonWriter w, InstrumentAggregator aggregator)
    {
        w.WriteStartObject();
        w.WriteString("name", aggregator.Instrument.Name);
        w.WriteString("type", PrometheusTextWriter.TypeOf(aggregator.Kind));
        w.WriteString("unit", aggregator.Instrument.Unit);
        w.WriteStartArray("series");
        foreach (var (tags, value) in aggregator.Snapshot())
        {
            w.WriteStartObject();
            w.WriteStartObject("tags");
            foreach (var (key, tag) in tags.Tags)
            {
                w.WriteString(key, tag);
            }

            w.WriteEndObject();
            if (aggregator.Kind == MetricKind.Histogram)
            {
                w.WriteNumber("count", value.Count);
                w.WriteNumber("sum", value.Sum);
            }
            else
            {
                w.WriteNumber("value", value.Value);
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static string? Tag(TagSet tags, string name)
    {
        foreach (var (key, value) in tags.Tags)
        {
            if (key == name)
            {
                return value;
            }
        }

        return null;
    }
}
