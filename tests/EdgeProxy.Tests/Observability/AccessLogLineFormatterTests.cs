using System.Net;
using System.Text.Json;
using EdgeProxy.Configuration;
using EdgeProxy.Observability;
using EdgeProxy.Origins;
using EdgeProxy.Tests.TestSupport;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EdgeProxy.Tests.Observability;

public sealed class AccessLogLineFormatterTests
{
    private static AccessLogEntry Entry(string? detail = "origin said no") => new(
        new DateTimeOffset(2026, 12, 1, 21, 30, 0, 123, TimeSpan.Zero),
        IPAddress.Parse("10.1.2.3"),
        "GET",
        new PathString("/base"),
        new PathString("/a b/ü"),
        new QueryString("?x=%22q%22&y=1"),
        502,
        1234,
        12.345,
        "http://10.0.0.5:80/",
        "MISS",
        OriginFailureKind.ConnectionRefused,
        detail,
        "edgeproxy; fwd=uri-miss",
        "writer",
        "refused",
        2,
        3.21);

    [Fact]
    public async Task Text_IsTheLoggersMessage()
    {
        var entry = Entry();
        var messages = new List<string>();
        using var factory = LoggerFactory.Create(b => b.AddProvider(new CapturingLoggerProvider(messages)));
        var writer = new AccessLogWriter(factory, new StaticOptionsMonitor<EdgeProxyOptions>(new EdgeProxyOptions()), new ServiceCollection().BuildServiceProvider());
        await writer.StartAsync(CancellationToken.None);
        writer.Write(entry);
        await writer.StopAsync(CancellationToken.None);

        var line = new AccessLogLineFormatter().FormatToString(entry, AccessLogFormat.Text);

        Assert.Equal(Assert.Single(messages), line);
        Assert.Contains("\"GET /base/a%20b/%C3%BC?x=%22q%22&y=1\" 502 1234 12.3ms ttfb=3.2ms", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(AccessLogFormat.Text)]
    [InlineData(AccessLogFormat.Squid)]
    [InlineData(AccessLogFormat.Json)]
    public void ControlCharactersInFields_NeverBreakTheLine(AccessLogFormat format)
    {
        var line = new AccessLogLineFormatter().FormatToString(Entry("line one\r\nline two\u0000"), format);

        Assert.DoesNotContain('\n', line);
        Assert.DoesNotContain('\r', line);
        if (format == AccessLogFormat.Json)
        {
            using var json = JsonDocument.Parse(line);
            Assert.Equal("line one\r\nline two\u0000", json.RootElement.GetProperty("detail").GetString());
            Assert.Equal("/base/a%20b/%C3%BC?x=%22q%22&y=1", json.RootElement.GetProperty("url").GetString());
            Assert.Equal("10.1.2.3", json.RootElement.GetProperty("client").GetString());
        }
    }

    [Fact]
    public void Squid_NoClientNoOrigin_UsesDashes()
    {
        var entry = Entry() with { ClientAddress = null, Origin = "-", CacheResult = "-", DurationMs = 1234567 };

        var line = new AccessLogLineFormatter().FormatToString(entry, AccessLogFormat.Squid);

        Assert.StartsWith($"{entry.Time.ToUnixTimeSeconds()}.123 1234567 - TCP_NONE/502 1234 GET /base/a%20b/%C3%BC?x=%22q%22&y=1 - HIER_NONE/- - ttfb=3.2ms", line, StringComparison.Ordinal);
    }
}
