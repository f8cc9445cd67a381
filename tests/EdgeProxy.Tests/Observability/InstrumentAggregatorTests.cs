using System.Diagnostics.Metrics;
using EdgeProxy.Observability.Metrics;

namespace EdgeProxy.Tests.Observability;

public sealed class InstrumentAggregatorTests
{
    private const int Threads = 8;
    private const int PerThread = 20_000;

    [Fact]
    public void Counter_RecordedFromManyThreadsAtOnce_SumsEveryMeasurement()
    {
        using var meter = new Meter("test.aggregator");
        var aggregator = new InstrumentAggregator(meter.CreateCounter<long>("requests"), MetricKind.Counter, []);

        RecordConcurrently(i => aggregator.Record(1, [new("status_class", i % 2 == 0 ? "2xx" : "5xx")]));

        var series = aggregator.Snapshot().ToDictionary(s => s.Tags.Tags[0].Value, s => s.Value);
        Assert.Equal(2, series.Count);
        Assert.All(series.Values, v => Assert.Equal(Threads * PerThread / 2, v.Value));
    }

    [Fact]
    public void Histogram_RecordedFromManyThreadsAtOnce_CountsEveryMeasurementInItsBucket()
    {
        using var meter = new Meter("test.aggregator");
        double[] bounds = [1, 2];
        var aggregator = new InstrumentAggregator(meter.CreateHistogram<double>("duration"), MetricKind.Histogram, bounds);

        // 0.5 -> bucket le=1, 1.5 -> le=2, 4 -> +Inf; all exact in binary, so the sum is exact too.
        double[] values = [0.5, 1.5, 4];
        RecordConcurrently(i => aggregator.Record(values[i % 3], [new("cache_result", "HIT")]));

        var (_, value) = Assert.Single(aggregator.Snapshot());
        var total = Threads * PerThread;
        Assert.Equal(total, value.Count);
        var perValue = Enumerable.Range(0, total).GroupBy(i => i % 3).ToDictionary(g => g.Key, g => (long)g.Count());
        Assert.Equal(new[] { perValue[0], perValue[1], perValue[2] }, value.BucketCounts);
        Assert.Equal((perValue[0] * 0.5) + (perValue[1] * 1.5) + (perValue[2] * 4), value.Sum);
    }

    [Fact]
    public async Task Gauge_KeepsTheLastValueRecorded_WhicheverThreadRecordedIt()
    {
        using var meter = new Meter("test.aggregator");
        var aggregator = new InstrumentAggregator(meter.CreateGauge<long>("size"), MetricKind.Gauge, []);

        foreach (var v in new[] { 7.0, 3.0, 5.0 })
        {
            await Task.Run(() => aggregator.Record(v, []));
        }

        Assert.Equal(5, Assert.Single(aggregator.Snapshot()).Value.Value);
    }

    /// <summary>Threads × PerThread calls of <paramref name="record"/> (with a running index), all threads released at once.</summary>
    private static void RecordConcurrently(Action<int> record)
    {
        using var start = new Barrier(Threads);
        var threads = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            for (var i = 0; i < PerThread; i++)
            {
                record((t * PerThread) + i);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
    }
}
