namespace EdgeProxy.Observability.Metrics;

/// <summary>How an instrument's measurements aggregate, and the Prometheus type it is exposed as.</summary>
internal enum MetricKind
{
    /// <summary>Counter: measurements are increments, summed per tag set (Prometheus counter, <c>_total</c>).</summary>
    Counter,

    /// <summary>UpDownCounter: increments and decrements, summed (Prometheus gauge).</summary>
    UpDownCounter,

    /// <summary>ObservableCounter: each observation is the running total (Prometheus counter, <c>_total</c>).</summary>
    ObservedCounter,

    /// <summary>ObservableGauge, ObservableUpDownCounter, Gauge: the last value wins (Prometheus gauge).</summary>
    Gauge,

    /// <summary>Histogram: cumulative buckets, sum and count (Prometheus histogram).</summary>
    Histogram,
}
