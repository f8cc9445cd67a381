using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using EdgeProxy.Caching;
using EdgeProxy.FunctionalTests.Infrastructure;
using EdgeProxy.Observability;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace EdgeProxy.FunctionalTests.Admin;

/// <summary>
/// The dashboard page in headless Chromium: its script fetches /admin/dashboard.json with the key from
/// the URL fragment and fills in the figures. The cache statistics come from the registered cache, or,
/// where none is, a stand-in (<see cref="FakeCachePurger"/>); the request and origin figures are real.
/// </summary>
public sealed partial class DashboardTests : ProxiedOriginTest
{
    private const string Key = "dashboard-key-0123456789";

    protected override void Configure(Dictionary<string, string?> settings) => settings["EdgeProxy:Admin:ApiKey"] = Key;

    protected override void ConfigureHost(WebApplicationBuilder builder) => builder.Services.TryAddSingleton<ICachePurger>(new FakeCachePurger());

    private CacheStatistics Statistics => Proxy.App.Services.GetRequiredService<ICachePurger>().GetStatistics();

    [Fact]
    public async Task DashboardJson_WithKey_SummarisesRequestsOriginsAndCache()
    {
        await GenerateTrafficAsync(4);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/dashboard.json") { Headers = { { "X-Api-Key", Key } } };
        using var response = await Proxy.AdminClient.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(4, json.RootElement.GetProperty("requests").GetDouble());
        Assert.Equal(4, json.RootElement.GetProperty("originRequests").GetDouble());
        Assert.Equal(Statistics.Entries, json.RootElement.GetProperty("cache").GetProperty("entries").GetInt64());
        Assert.Equal((double)Statistics.Bytes / Statistics.CapacityBytes, json.RootElement.GetProperty("cache").GetProperty("fill").GetDouble(), 9);
        Assert.Contains(json.RootElement.GetProperty("instruments").EnumerateArray(), i => i.GetProperty("name").GetString() == "edgeproxy.origin.requests");
    }

    [Fact]
    public async Task Dashboard_InHeadlessChromium_RendersLiveFiguresAndScreenshot()
    {
        var meter = Proxy.App.Services.GetRequiredService<IMeterFactory>().Create(EdgeProxyMeter.Name);
        meter.CreateObservableGauge("edgeproxy.circuit.state", () => new Measurement<int>(0, new KeyValuePair<string, object?>("cluster", "primary")), description: "0 closed, 1 open, 2 half-open");
        await GenerateTrafficAsync(6, cacheable: true);
        var page = new Uri(Proxy.AdminAddress, "/dashboard#key=" + Key);

        var dom = await HeadlessChromium.DumpDomAsync(page);

        Assert.Contains("data-loaded=\"true\"", dom, StringComparison.Ordinal);
        Assert.Equal("6", Text(dom, "requests"));
        Assert.Equal("0", Text(dom, "originFailures"));
        Assert.Equal((100.0 * Statistics.Bytes / Statistics.CapacityBytes).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) + " %", Text(dom, "cacheFill"));
        Assert.Contains(Origin.BaseAddress.ToString(), dom, StringComparison.Ordinal);
        Assert.Contains("edgeproxy.circuit.state", dom, StringComparison.Ordinal);
        Assert.Contains(">closed<", dom, StringComparison.Ordinal);
        Assert.Equal("0", Text(dom, "collapsed"));

        // The committed docs/dashboard.png is refreshed only on request (EDGEPROXY_UPDATE_SCREENSHOT=1), so a
        // test run leaves the working tree clean; otherwise the screenshot is still taken and checked.
        var target = Environment.GetEnvironmentVariable("EDGEPROXY_UPDATE_SCREENSHOT") == "1"
            ? Path.Combine(RepositoryRoot(), "docs", "dashboard.png")
            : Path.Combine(Path.GetTempPath(), $"edgeproxy-dashboard-{Environment.ProcessId}.png");
        await HeadlessChromium.ScreenshotAsync(page, target);
        Assert.True(new FileInfo(target).Length > 1000, "the screenshot is empty");
        if (!target.StartsWith(RepositoryRoot(), StringComparison.Ordinal))
        {
            File.Delete(target);
        }
    }

    [Fact]
    public async Task Dashboard_WithoutKeyInFragment_ShowsKeyNeeded()
    {
        var dom = await HeadlessChromium.DumpDomAsync(new Uri(Proxy.AdminAddress, "/dashboard"));

        Assert.DoesNotContain("data-loaded=\"true\"", dom, StringComparison.Ordinal);
        Assert.Contains("API key needed", dom, StringComparison.Ordinal);
    }

    /// <summary>Requests through the proxy; cacheable ones ask for each of three objects twice (hits once a cache is present).</summary>
    private async Task GenerateTrafficAsync(int count, bool cacheable = false)
    {
        using var client = Proxy.NewClient();
        for (var i = 0; i < count; i++)
        {
            var path = cacheable ? $"/dash/c{i % 3}?size=2000&cc=max-age%3D600" : $"/dash/{i}?size=2000";
            using var response = await client.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await response.Content.ReadAsByteArrayAsync();
            var times = cacheable ? (i / 3) + 1 : 1; // requests for this path so far: wait for that many access-log lines
            await Proxy.Logs.WaitForAsync(_ => Proxy.Logs.Lines.Count(l => l.Category == "EdgeProxy.AccessLog" && l.Message.Contains(path, StringComparison.Ordinal)) >= times);
        }
    }

    private static string Text(string dom, string id)
    {
        var match = Regex.Match(dom, $"id=\"{id}\"[^>]*>([^<]*)<");
        Assert.True(match.Success, $"no element #{id} in the DOM");
        return match.Groups[1].Value;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EdgeProxy.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("EdgeProxy.sln not found above " + AppContext.BaseDirectory);
    }
}
