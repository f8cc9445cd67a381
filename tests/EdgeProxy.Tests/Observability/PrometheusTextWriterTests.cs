using EdgeProxy.Observability.Metrics;

namespace EdgeProxy.Tests.Observability;

public sealed class PrometheusTextWriterTests
{
    [Theory]
    [InlineData("edgeproxy.cache.requests", "{request}", "Counter", "edgeproxy_cache_requests_total")]
    [InlineData("edgeproxy.request.duration", "s", "Histogram", "edgeproxy_request_duration_seconds")]
    [InlineData("edgeproxy.cache.bytes", "By", "Counter", "edgeproxy_cache_bytes_total")]
    [InlineData("edgeproxy.cache.size", "By", "Gauge", "edgeproxy_cache_size_bytes")]
    [InlineData("edgeproxy.hits_total", null, "ObservedCounter", "edgeproxy_hits_total")]
    [InlineData("9lives-and.more", null, "Gauge", "_9lives_and_more")]
    public void FamilyName_SanitisesAndAddsSuffixes(string instrument, string? unit, string kind, string expected)
    {
        Assert.Equal(expected, PrometheusTextWriter.FamilyName(instrument, unit, Enum.Parse<MetricKind>(kind)));
    }

    [Theory]
    [InlineData(0.0, "0")]
    [InlineData(42.0, "42")]
    [InlineData(0.25, "0.25")]
    [InlineData(1e-7, "1E-07")]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    [InlineData(double.NaN, "NaN")]
    public void FormatValue_GoParseableFloats(double value, string expected)
    {
        Assert.Equal(expected, PrometheusTextWriter.FormatValue(value));
    }
}
