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

    /// <summary>Tag combinations seen with string values, in the order callers pass them: the allocation-free path.</summary>
    private const int MaxRecent = 32;

    private readonly ConcurrentDictionary<TagSet, Series> _series = new();
    private readonly Lock _recentGate = new();
    private volatile Recent[] _recent = [];

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
        var series = FindRecent(tags) ?? Add(tags);
        series.Record(Kind, value, Buckets);
    }

    /// <summary>Observable instruments report their current values on each collection: forget the last ones first.</summary>
    public void ResetObserved()
    {
        lock (_recentGate)
        {
            _recent = [];
            _series.Clear();
        }
    }

    private Series? FindRecent(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (var recent in _recent)
        {
            if (recent.Matches(tags))
            {
                return recent.Series;
            }
        }

        return null;
    }

    private Series Add(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var key = TagSet.From(tags);
        var series = _series.GetOrAdd(key, static (_, self) => new Series(self.Kind == MetricKind.Histogram ? self.Buckets.Length + 1 : 0), this);
        if (Recent.TryCreate(tags, series) is { } recent)
        {
            lock (_recentGate)
            {
                if (_recent.Length < MaxRecent && _series.TryGetValue(key, out var current) && ReferenceEquals(current, series))
                {
                    _recent = [.. _recent, recent];
                }
            }
        }

        return series;
    }

    /// <summary>A tag combination whose values are all strings, kept in the caller's order, and its series.</summary>
    private sealed class Recent
    {
        private readonly string[] _keys;
        private readonly string[] _values;

        private Recent(string[] keys, string[] values, Series series)
        {
            _keys = keys;
            _values = values;
            Series = series;
        }

        public Series Series { get; }

        public static Recent? TryCreate(ReadOnlySpan<KeyValuePair<string, object?>> tags, Series series)
        {
            var keys = new string[tags.Length];
            var values = new string[tags.Length];
            for (var i = 0; i < tags.Length; i++)
            {
                if (tags[i].Value is not string value)
                {
                    return null;
                }

                keys[i] = tags[i].Key;
                values[i] = value;
            }

            return new Recent(keys, values, series);
        }

        public bool Matches(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (tags.Length != _keys.Length)
            {
                return false;
            }

            for (var i = 0; i < tags.Length; i++)
            {
                if (tags[i].Value is not string value || !string.Equals(value, _values[i], StringComparison.Ordinal) || !string.Equals(tags[i].Key, _keys[i], StringComparison.Ordinal))
                {
                    return false;
                }
            }

            return true;
        }
    }

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
