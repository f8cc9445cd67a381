using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace EdgeProxy.Observability.Metrics;

/// <summary>The running state of one instrument: one series per tag set.</summary>
internal sealed class InstrumentAggregator
{
    /// <summary>Bucket bounds for histograms in seconds (unit "s") without advice.</summary>
    public static readonly double[] SecondsBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    /// <summary>OpenTelemetry's default explicit bucket bounds, for every other histogram without advice.</summary>
    public static readonly double[] DefaultBuckets = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

    private readonly ConcurrentDictionary<TagSet, Series> _series = new();

    public InstrumentAggregator(Instrument instrument, MetricKind kind, double[] buckets)
    {
        Instrument = instrument;
        Kind = kind;
        Buckets = buckets;
    }

    public Instrument Instrument { get; }

    public MetricKind Kind { get; }

    /// <summary>Histogram upper bounds, ascending (+Inf is implicit).</summary>
    public double[] Buckets { get; }

    public bool IsObservable => Instrument.IsObservable;

    public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var key = TagSet.From(tags);
        var series = _series.GetOrAdd(key, static (_, self) => new Series(self.Kind == MetricKind.Histogram ? self.Buckets.Length + 1 : 0), this);
        series.Record(Kind, value, Buckets);
    }

    /// <summary>Observable instruments report their current values on each collection: forget the last ones first.</summary>
    public void ResetObserved() => _series.Clear();

    public IEnumerable<(TagSet Tags, SeriesValue Value)> Snapshot()
    {
        foreach (var (tags, series) in _series)
        {
            yield return (tags, series.Read());
        }
    }

    public readonly record struct SeriesValue(double Value, long[] BucketCounts, double Sum, long Count);

    private sealed class Series
    {
        private readonly Lock _gate = new();
        private readonly long[] _buckets;
        private double _value;
        private double _sum;
        private long _count;

        public Series(int buckets) => _buckets = new long[buckets];

        public void Record(MetricKind kind, double value, double[] bounds)
        {
            lock (_gate)
            {
                switch (kind)
                {
                    case MetricKind.Counter:
                    case MetricKind.UpDownCounter:
                        _value += value;
                        break;
                    case MetricKind.Histogram:
                        var i = 0;
                        while (i < bounds.Length && value > bounds[i])
                        {
                            i++;
                        }

                        _buckets[i]++;
                        _sum += value;
                        _count++;
                        break;
                    default:
                        _value = value;
                        break;
                }
            }
        }

        public SeriesValue Read()
        {
            lock (_gate)
            {
                return new SeriesValue(_value, (long[])_buckets.Clone(), _sum, _count);
            }
        }
    }
}
