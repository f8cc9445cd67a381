using System.Diagnostics.Metrics;
using System.Net;
using EdgeProxy.FunctionalTests.Infrastructure;
using EdgeProxy.Observability;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeProxy.FunctionalTests.Observability;

/// <summary>GET /metrics on the admin listener of a whole proxy.</summary>
public sealed class MetricsEndpointTests : ProxiedOriginTest
{
    [Fact]
    public async Task Metrics_AfterRequests_ParsesStrictlyAndCountersMove()
    {
        using (var warmup = await Proxy.Client.GetAsync("/metrics-test/warmup?size=10"))
        {
            await Proxy.Logs.WaitForAccessLogAsync("/metrics-test/warmup");
        }

        var before = await ScrapeAsync();

        for (var i = 0; i < 3; i++)
        {
            using var response = await Proxy.Client.GetAsync($"/metrics-test/{i}?size=1000");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await Proxy.Logs.WaitForAccessLogAsync($"/metrics-test/{i}");
        }

        var after = await ScrapeAsync();

        Assert.Equal(3, Value(after, "edgeproxy_requests_total", "status_class", "2xx") - Value(before, "edgeproxy_requests_total", "status_class", "2xx"));
        Assert.Equal(3, Value(after, "edgeproxy_origin_requests_total", "outcome", "ok") - Value(before, "edgeproxy_origin_requests_total", "outcome", "ok"));
        Assert.Equal(3000, Value(after, "edgeproxy_response_body_bytes_total", "source", "origin") - Value(before, "edgeproxy_response_body_bytes_total", "source", "origin"));
        Assert.Equal(3, Value(after, "edgeproxy_request_duration_seconds_count") - Value(before, "edgeproxy_request_duration_seconds_count"));
        Assert.Equal(3, Value(after, "edgeproxy_origin_duration_seconds_count", "outcome", "ok") - Value(before, "edgeproxy_origin_duration_seconds_count", "outcome", "ok"));
        var origin = after["edgeproxy_origin_requests_total"].Samples.Single(s => s.Labels["outcome"] == "ok");
        Assert.Equal("primary", origin.Labels["cluster"]);
        Assert.Equal(Origin.BaseAddress.ToString(), origin.Labels["destination"]);
        Assert.Equal(4, Origin.Counters.Total);
    }

    [Fact]
    public async Task Metrics_RefusedOrigin_CountsOutcomeAnd502()
    {
        using var refused = new RefusingPort();
        await using var proxy = await ProxyInstance.StartAsync(ProxySettings.TwoOrigins(refused.Address));

        using var response = await proxy.Client.GetAsync("/refused");
        await proxy.Logs.WaitForAccessLogAsync("/refused");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        var families = await ScrapeAsync(proxy);
        // One per attempt: an escalating cluster also tries its secondary, here the same refusing port.
        var origin = families["edgeproxy_origin_requests_total"].Samples;
        Assert.InRange(Value(families, "edgeproxy_origin_requests_total", "outcome", "refused"), 1, 2);
        Assert.All(origin, s => Assert.Equal(("refused", refused.Address.ToString()), (s.Labels["outcome"], s.Labels["destination"])));
        Assert.Equal(1, Value(families, "edgeproxy_requests_total", "status_class", "5xx"));
    }

    [Fact]
    public async Task Metrics_InstrumentFromAnotherCapability_IsExported()
    {
        var meter = Proxy.App.Services.GetRequiredService<IMeterFactory>().Create(EdgeProxyMeter.Name);
        meter.CreateCounter<long>("edgeproxy.escalations", "{escalation}", "Escalations by reason").Add(4, new KeyValuePair<string, object?>("reason", "refused"));
        meter.CreateObservableGauge("edgeproxy.circuit.state", () => new Measurement<int>(1, new KeyValuePair<string, object?>("cluster", "primary")));

        var families = await ScrapeAsync();

        Assert.Equal(4, Value(families, "edgeproxy_escalations_total", "reason", "refused"));
        Assert.Equal(1, Value(families, "edgeproxy_circuit_state", "cluster", "primary"));
    }

    private Task<Dictionary<string, PrometheusText.Family>> ScrapeAsync() => ScrapeAsync(Proxy);

    private static async Task<Dictionary<string, PrometheusText.Family>> ScrapeAsync(ProxyInstance proxy)
    {
        using var response = await proxy.AdminClient.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        return PrometheusText.Parse(await response.Content.ReadAsStringAsync());
    }

    /// <summary>The sum of a sample over every series whose label matches, or all series without a label (0 when absent).</summary>
    private static double Value(Dictionary<string, PrometheusText.Family> families, string sample, string? label = null, string? value = null)
    {
        var familyName = families.Keys.FirstOrDefault(k => sample == k || sample.StartsWith(k + "_", StringComparison.Ordinal) && families[k].Type == "histogram") ?? sample;
        return families.TryGetValue(familyName, out var family)
            ? family.Samples.Where(s => s.Name == sample && (label is null || s.Labels.TryGetValue(label, out var v) && v == value)).Sum(s => s.Value)
            : 0;
    }
}
