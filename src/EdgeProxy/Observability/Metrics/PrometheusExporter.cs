using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace EdgeProxy.Observability.Metrics;

/// <summary>
/// Listens to every instrument of this host's <see cref="EdgeProxyMeter.Name"/> meter (whoever created
/// it, through this host's <see cref="IMeterFactory"/>) and keeps the aggregates Prometheus scrapes:
/// counters summed per tag set, up-down counters summed, observable instruments read on each scrape,
/// histograms as cumulative buckets with sum and count. <see cref="Collect"/> renders the text
/// exposition format 0.0.4 (<see cref="PrometheusTextWriter"/>).
/// </summary>
internal sealed class PrometheusExporter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly object _scope;
    private readonly ConcurrentDictionary<Instrument, InstrumentAggregator> _instruments = new();
    private readonly Lock _collectGate = new();

    public PrometheusExporter(IMeterFactory meterFactory)
    {
        _scope = meterFactory;
        _listener.InstrumentPublished = OnInstrumentPublished;
        _listener.MeasurementsCompleted = (instrument, _) => _instruments.TryRemove(instrument, out InstrumentAggregator? _);
        _listener.SetMeasurementEventCallback<double>(static (i, m, t, s) => ((InstrumentAggregator)s!).Record(m, t));
        _listener.SetMeasurementEventCallback<float>(static (i, m, t, s) => ((InstrumentAggregator)s!).Record(m, t));
        _listener.SetMeasurementEventCallback<long>(static (i, m, t, s) => ((InstrumentAggregator)s!).Record(m, t));
        _listener.SetMeasurementEventCallback<int>(static (i, m, t, s) => ((InstrumentAggregator)s!).Record(m, t));
        _listener.SetMeasurementEventCallback<short>(static (i, m, t, s) => ((InstrumentAggregator)s!).Record(m, t));
        _listener.SetMeasurementEventCallback<byte>(static (i, m, t, s) => ((InstrumentAggregator)s!).Record(m, t));
        _listener.SetMeasurementEventCallback<decimal>(static (i, m, t, s) => ((InstrumentAggregator)s!).Record((double)m, t));
        _listener.Start();
    }

    /// <summary>The instruments seen so far (tests and the dashboard read them).</summary>
    public IReadOnlyCollection<InstrumentAggregator> Instruments => _instruments.Values.ToArray();

    /// <summary>Reads the observable instruments and renders every family in the Prometheus text format.</summary>
    public string Collect()
    {
        lock (_collectGate)
        {
            Observe();
            return PrometheusTextWriter.Write(_instruments.Values);
        }
    }

    /// <summary>Reads the observable instruments now, so <see cref="Instruments"/> holds current values.</summary>
    public void Observe()
    {
        lock (_collectGate)
        {
            foreach (var aggregator in _instruments.Values)
            {
                if (aggregator.IsObservable)
                {
                    aggregator.ResetObserved();
                }
            }

            _listener.RecordObservableInstruments();
        }
    }

    public void Dispose() => _listener.Dispose();

    private void OnInstrumentPublished(Instrument instrument, MeterListener listener)
    {
        // Only this host's meter: tests run many hosts in one process, each with its own factory.
        if (instrument.Meter.Name != EdgeProxyMeter.Name || !ReferenceEquals(instrument.Meter.Scope, _scope))
        {
            return;
        }

        if (Classify(instrument) is not { } kind)
        {
            return;
        }

        var aggregator = new InstrumentAggregator(instrument, kind, kind == MetricKind.Histogram ? BucketsFor(instrument) : []);
        _instruments[instrument] = aggregator;
        listener.EnableMeasurementEvents(instrument, aggregator);
    }

    private static MetricKind? Classify(Instrument instrument)
    {
        var type = instrument.GetType();
        if (!type.IsGenericType)
        {
            return null;
        }

        var definition = type.GetGenericTypeDefinition();
        if (definition == typeof(Counter<>))
        {
            return MetricKind.Counter;
        }

        if (definition == typeof(UpDownCounter<>))
        {
            return MetricKind.UpDownCounter;
        }

        if (definition == typeof(Histogram<>))
        {
            return MetricKind.Histogram;
        }

        if (definition == typeof(ObservableCounter<>))
        {
            return MetricKind.ObservedCounter;
        }

        if (definition == typeof(ObservableGauge<>) || definition == typeof(ObservableUpDownCounter<>) || definition == typeof(Gauge<>))
        {
            return MetricKind.Gauge;
        }

        return null;
    }

    /// <summary>The instrument's advised bucket bounds if it has any, else defaults by unit.</summary>
    private static double[] BucketsFor(Instrument instrument)
    {
        var advised = instrument switch
        {
            Histogram<double> h => h.Advice?.HistogramBucketBoundaries?.ToArray(),
            Histogram<long> h => h.Advice?.HistogramBucketBoundaries?.Select(static b => (double)b).ToArray(),
            Histogram<int> h => h.Advice?.HistogramBucketBoundaries?.Select(static b => (double)b).ToArray(),
            _ => null,
        };
        if (advised is { Length: > 0 })
        {
            Array.Sort(advised);
            return advised.Distinct().Where(double.IsFinite).ToArray();
        }

        return instrument.Unit == "s" ? InstrumentAggregator.SecondsBuckets : InstrumentAggregator.DefaultBuckets;
    }
}
