using System.Diagnostics.Metrics;
using EdgeProxy.FunctionalTests.Infrastructure;
using EdgeProxy.Observability;
using EdgeProxy.Observability.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeProxy.FunctionalTests.Observability;

/// <summary>The exporter over MeterListener, checked against the strict text-format parser.</summary>
public sealed class PrometheusExporterTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly PrometheusExporter _exporter;
    private readonly Meter _meter;

    public PrometheusExporterTests()
    {
        var factory = _services.GetRequiredService<IMeterFactory>();
        _exporter = new PrometheusExporter(factory);
        _meter = factory.Create(EdgeProxyMeter.Name);
    }

    public void Dispose()
    {
        _exporter.Dispose();
        _services.Dispose();
    }

    [Fact]
    public void Collect_Counter_SumsPerTagSetWithTotalSuffix()
    {
        var counter = _meter.CreateCounter<long>("edgeproxy.cache.requests", "{request}", "Cache lookups");
        counter.Add(2, new KeyValuePair<string, object?>("result", "HIT"));
        counter.Add(3, new KeyValuePair<string, object?>("result", "HIT"));
        counter.Add(1, new KeyValuePair<string, object?>("result", "MISS"));

        var families = PrometheusText.Parse(_exporter.Collect());

        var family = families["edgeproxy_cache_requests_total"];
        Assert.Equal("counter", family.Type);
        Assert.Equal("Cache lookups", family.Help);
        Assert.Equal(5, family.Samples.Single(s => s.Labels["result"] == "HIT").Value);
        Assert.Equal(1, family.Samples.Single(s => s.Labels["result"] == "MISS").Value);
    }

    [Fact]
    public void Collect_SameTagsInAnyOrderOrNonStringValues_OneSeries()
    {
        var counter = _meter.CreateCounter<long>("edgeproxy.order");
        for (var i = 0; i < 3; i++)
        {
            counter.Add(1, new KeyValuePair<string, object?>("a", "x"), new KeyValuePair<string, object?>("b", "y"));
            counter.Add(10, new KeyValuePair<string, object?>("b", "y"), new KeyValuePair<string, object?>("a", "x"));
            counter.Add(100, new KeyValuePair<string, object?>("code", 503));
            counter.Add(1000, new KeyValuePair<string, object?>("code", "503"));
        }

        var family = PrometheusText.Parse(_exporter.Collect())["edgeproxy_order_total"];

        Assert.Equal(2, family.Samples.Count);
        Assert.Equal(33, family.Samples.Single(s => s.Labels.ContainsKey("a")).Value);
        Assert.Equal(3300, family.Samples.Single(s => s.Labels.ContainsKey("code")).Value);
    }

    [Fact]
    public void Record_KnownStringTags_AllocatesNothing()
    {
        var counter = _meter.CreateCounter<long>("edgeproxy.alloc");
        var histogram = _meter.CreateHistogram<double>("edgeproxy.alloc.duration", "s");
        var result = new KeyValuePair<string, object?>("cache_result", "HIT");
        var status = new KeyValuePair<string, object?>("status_class", "2xx");
        counter.Add(1, result, status);
        histogram.Record(0.01, result);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            counter.Add(1, result, status);
            histogram.Record(0.01, result);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(1001, PrometheusText.Parse(_exporter.Collect())["edgeproxy_alloc_total"].Samples.Single().Value);
    }

    [Fact]
    public void Collect_LabelValuesWithQuotesBackslashesNewlines_AreEscapedAndRoundTrip()
    {
        const string nasty = "a\"b\\c\nd";
        var counter = _meter.CreateCounter<int>("edgeproxy.odd", description: "help with \\ and\nnewline");
        counter.Add(1, new KeyValuePair<string, object?>("path", nasty), new KeyValuePair<string, object?>("odd.name-x", "v"));

        var text = _exporter.Collect();
        var family = PrometheusText.Parse(text)["edgeproxy_odd_total"];

        Assert.Equal(nasty, family.Samples.Single().Labels["path"]);
        Assert.Equal("v", family.Samples.Single().Labels["odd_name_x"]);
        Assert.Equal("help with \\ and\nnewline", family.Help);
    }

    [Fact]
    public void Collect_Histogram_HasCumulativeBucketsSumCountAndInf()
    {
        var histogram = _meter.CreateHistogram<double>("edgeproxy.request.duration", "s", "Request duration");
        foreach (var value in new[] { 0.0005, 0.003, 0.2, 0.2, 60.0 })
        {
            histogram.Record(value, new KeyValuePair<string, object?>("cache_result", "MISS"));
        }

        var family = PrometheusText.Parse(_exporter.Collect())["edgeproxy_request_duration_seconds"];

        Assert.Equal("histogram", family.Type);
        double Bucket(string le) => family.Samples.Single(s => s.Name.EndsWith("_bucket", StringComparison.Ordinal) && s.Labels["le"] == le).Value;
        Assert.Equal(1, Bucket("0.001"));
        Assert.Equal(2, Bucket("0.005"));
        Assert.Equal(4, Bucket("0.25"));
        Assert.Equal(4, Bucket("30"));
        Assert.Equal(5, Bucket("+Inf"));
        Assert.Equal(5, family.Samples.Single(s => s.Name == "edgeproxy_request_duration_seconds_count").Value);
        Assert.Equal(60.4035, family.Samples.Single(s => s.Name == "edgeproxy_request_duration_seconds_sum").Value, 6);
    }

    [Fact]
    public void Collect_ObservableAndUpDown_ReadOnScrape()
    {
        long entries = 4;
        _meter.CreateObservableGauge("edgeproxy.cache.entries", () => entries, "{entry}", "Entries in the cache");
        _meter.CreateObservableCounter("edgeproxy.cache.evictions", () => new Measurement<long>(9, new KeyValuePair<string, object?>("reason", "size")));
        var inFlight = _meter.CreateUpDownCounter<int>("edgeproxy.fills.active");
        inFlight.Add(3);
        inFlight.Add(-1);

        var first = PrometheusText.Parse(_exporter.Collect());
        entries = 11;
        var second = PrometheusText.Parse(_exporter.Collect());

        Assert.Equal("gauge", first["edgeproxy_cache_entries"].Type);
        Assert.Equal(4, first["edgeproxy_cache_entries"].Samples.Single().Value);
        Assert.Equal(11, second["edgeproxy_cache_entries"].Samples.Single().Value);
        Assert.Equal("counter", second["edgeproxy_cache_evictions_total"].Type);
        Assert.Equal(9, second["edgeproxy_cache_evictions_total"].Samples.Single().Value);
        Assert.Equal(2, second["edgeproxy_fills_active"].Samples.Single().Value);
    }

    [Fact]
    public void Collect_OtherMetersAndOtherHosts_AreIgnored()
    {
        using var otherHost = new ServiceCollection().AddMetrics().BuildServiceProvider();
        otherHost.GetRequiredService<IMeterFactory>().Create(EdgeProxyMeter.Name).CreateCounter<long>("edgeproxy.foreign").Add(1);
        using var otherMeter = new Meter("NotEdgeProxy");
        otherMeter.CreateCounter<long>("edgeproxy.other").Add(1);
        _meter.CreateCounter<long>("edgeproxy.mine").Add(1);

        var families = PrometheusText.Parse(_exporter.Collect());

        Assert.Contains("edgeproxy_mine_total", families.Keys);
        Assert.DoesNotContain("edgeproxy_foreign_total", families.Keys);
        Assert.DoesNotContain("edgeproxy_other_total", families.Keys);
    }

    [Theory]
    [InlineData("x 1")] // no trailing newline
    [InlineData("x 1\n")] // sample without TYPE
    [InlineData("# TYPE x counter\n# TYPE x counter\nx 1\n")]
    [InlineData("# TYPE x counter\nx{a=\"b\\t\"} 1\n")] // bad escape
    [InlineData("# TYPE x counter\nx{1a=\"b\"} 1\n")] // bad label name
    [InlineData("# TYPE x counter\nx 1,5\n")] // bad float
    [InlineData("# TYPE x counter\nx 1\n# TYPE y gauge\ny 1\nx{a=\"b\"} 1\n")] // split family
    [InlineData("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n")] // not cumulative
    [InlineData("# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 3\n")] // +Inf != count
    [InlineData("# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n")] // no +Inf
    [InlineData("# TYPE x counter\nx -1\n")] // negative counter
    [InlineData("# TYPE x counter\nx 1\nx 2\n")] // duplicate series
    public void Parser_RejectsInvalidExpositions(string text)
    {
        Assert.Throws<FormatException>(() => PrometheusText.Parse(text));
    }
}
