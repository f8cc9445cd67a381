using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using EdgeProxy.FunctionalTests.Infrastructure;

namespace EdgeProxy.FunctionalTests.Observability;

public sealed class AccessLogTextTtfbTests : ProxiedOriginTest
{
    [Fact]
    public async Task Text_BodyHeldAfterHeaders_TtfbIsBeforeTheEnd()
    {
        using var response = await Proxy.Client.GetAsync("/ttfb/a?size=100&body_gate=ttfb-a&gate_after=10", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Origin.Gates.Release("ttfb-a");
        Assert.Equal(100, (await response.Content.ReadAsByteArrayAsync()).Length);

        var line = await Proxy.Logs.WaitForAccessLogAsync("/ttfb/a");
        var ttfb = Assert.IsType<double>(line.Property("TtfbMs"));
        var duration = Assert.IsType<double>(line.Property("DurationMs"));
        Assert.Equal(1000, line.EventId.Id);
        Assert.True(ttfb > 0 && ttfb < duration, $"ttfb {ttfb} duration {duration}");
        Assert.Contains("ttfb=", line.Message, StringComparison.Ordinal);
    }
}

public sealed class AccessLogJsonTests : ProxiedOriginTest
{
    protected override void Configure(Dictionary<string, string?> settings) => settings["EdgeProxy:AccessLog:Format"] = "Json";

    [Fact]
    public async Task Json_Request_WritesOneObjectWithEveryField()
    {
        using var response = await Proxy.Client.GetAsync("/json/a?size=321&status=201&x=\"q\"");

        var line = await Proxy.Logs.WaitForAccessLogAsync("/json/a");
        Assert.Equal(1002, line.EventId.Id);
        Assert.DoesNotContain('\n', line.Message);
        using var json = JsonDocument.Parse(line.Message);
        var root = json.RootElement;
        Assert.Equal("127.0.0.1", root.GetProperty("client").GetString());
        Assert.Equal("GET", root.GetProperty("method").GetString());
        Assert.StartsWith("/json/a?size=321&status=201", root.GetProperty("url").GetString(), StringComparison.Ordinal);
        Assert.Equal(201, root.GetProperty("status").GetInt32());
        Assert.Equal(321, root.GetProperty("bytes").GetInt64());
        Assert.True(root.GetProperty("ttfb_ms").GetDouble() <= root.GetProperty("duration_ms").GetDouble());
        Assert.Equal(Origin.BaseAddress.ToString(), root.GetProperty("origin").GetString());
        // Without a cache layer these are "-" and null; with one, what the cache decided.
        Assert.False(string.IsNullOrEmpty(root.GetProperty("cache_result").GetString()));
        Assert.True(root.GetProperty("cache_status").ValueKind is JsonValueKind.Null or JsonValueKind.String);
        Assert.Matches("^(-|writer)$", root.GetProperty("collapsed_role").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("escalation_reason").ValueKind);
        Assert.Equal(1, root.GetProperty("attempts").GetInt32());
        Assert.Equal("-", root.GetProperty("failure").GetString());
        Assert.True(root.GetProperty("time").TryGetDateTimeOffset(out _));
    }

    [Fact]
    public async Task Json_RefusedOrigin_RecordsFailure()
    {
        using var refused = new RefusingPort();
        await using var proxy = await ProxyInstance.StartAsync(ProxySettings.TwoOrigins(refused.Address).With("EdgeProxy:AccessLog:Format", "Json"));

        using var response = await proxy.Client.GetAsync("/json/refused");

        var line = await proxy.Logs.WaitForAccessLogAsync("/json/refused");
        using var json = JsonDocument.Parse(line.Message);
        Assert.Equal(502, json.RootElement.GetProperty("status").GetInt32());
        Assert.Equal("refused", json.RootElement.GetProperty("failure").GetString());
        Assert.Equal(JsonValueKind.String, json.RootElement.GetProperty("detail").ValueKind);
    }
}

public sealed partial class AccessLogSquidTests : ProxiedOriginTest
{
    protected override void Configure(Dictionary<string, string?> settings) => settings["EdgeProxy:AccessLog:Format"] = "Squid";

    [GeneratedRegex(@"^(\d+\.\d{3}) +(\d+) (\S+) (TCP_[A-Z_]+)/(\d{3}) (\d+) (\S+) (\S+) - (HIER_\w+)/(\S+) - ttfb=([\d.]+)ms cache_status=""([^""]*)"" role=(\S+) escalated=(\S+) attempts=(\d+) failure=(\S+)$")]
    private static partial Regex SquidLine();

    [Fact]
    public async Task Squid_Request_WritesSquidNativeLayout()
    {
        using var response = await Proxy.Client.GetAsync("/squid/a?size=55");

        var line = await Proxy.Logs.WaitForAccessLogAsync("/squid/a");
        Assert.Equal(1001, line.EventId.Id);
        var match = SquidLine().Match(line.Message);
        Assert.True(match.Success, line.Message);
        Assert.Equal("127.0.0.1", match.Groups[3].Value);
        Assert.Matches("^TCP_(NONE|MISS)$", match.Groups[4].Value);
        Assert.Equal("200", match.Groups[5].Value);
        Assert.Equal("55", match.Groups[6].Value);
        Assert.Equal("GET", match.Groups[7].Value);
        Assert.Equal("/squid/a?size=55", match.Groups[8].Value);
        Assert.Equal("HIER_DIRECT", match.Groups[9].Value);
        Assert.Equal(Origin.BaseAddress.ToString(), match.Groups[10].Value);
        Assert.Equal("1", match.Groups[15].Value);
        Assert.InRange(double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds());
    }
}
