using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using EdgeProxy.Observability;
using EdgeProxy.Observability.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeProxy.Benchmarks;

/// <summary>
/// What the request metrics cost a hit: <see cref="EdgeProxyMetrics.RequestCompleted"/> (a request count, a duration
/// and a byte count, each with its tags) with the Prometheus exporter listening, as in the proxy. <see cref="Threads"/>
/// threads record at once, as the I/O threads do; the time is per request and thread, so a figure that grows with
/// threads is what the threads cost each other (the series they share).
/// </summary>
[MemoryDiagnoser]
public class MetricsBenchmarks : IDisposable
{
    private const int PerThread = 20_000;
    private ServiceProvider _services = null!;
    private PrometheusExporter _exporter = null!;
    private EdgeProxyMetrics _metrics = null!;
    private ProxyRequestFeature _hit = null!;
    private readonly TimeSpan _elapsed = TimeSpan.FromMilliseconds(0.4);

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = _services.GetRequiredService<IMeterFactory>();
        _exporter = new PrometheusExporter(factory);
        _metrics = new EdgeProxyMetrics(factory);
        _hit = new ProxyRequestFeature { CacheResult = "HIT", BytesSent = 102400 };
        _metrics.RequestCompleted(_hit, 200, _elapsed);
        if (!_exporter.Collect().Contains("edgeproxy_requests_total{", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("the exporter did not see the request counter");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => Dispose();

    public void Dispose()
    {
        _exporter?.Dispose();
        _services?.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>One hit's metrics, <see cref="PerThread"/> times on each of <see cref="Threads"/> threads at once.</summary>
    [Benchmark(OperationsPerInvoke = PerThread)]
    public void RequestCompleted() =>
        Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, _ =>
        {
            for (var i = 0; i < PerThread; i++)
            {
                _metrics.RequestCompleted(_hit, 200, _elapsed);
            }
        });
}
