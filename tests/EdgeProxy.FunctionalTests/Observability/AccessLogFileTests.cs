using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using EdgeProxy.FunctionalTests.Infrastructure;
using EdgeProxy.Observability;
using EdgeProxy.TestOrigin;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeProxy.FunctionalTests.Observability;

/// <summary>
/// <c>EdgeProxy:AccessLog:Path</c> set to a file: the writer formats and batches the lines itself.
/// Each test stops the proxy before reading the file (stopping drains the queue and closes the file).
/// </summary>
public sealed partial class AccessLogFileTests : IAsyncLifetime
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("edgeproxy-accesslog-");
    private TestOriginServer _origin = null!;

    private string LogPath => Path.Combine(_dir.FullName, "access.log");

    [GeneratedRegex(@"^(\S+) ""GET (\S+)"" (\d{3}) (\d+) ([\d.]+)ms ttfb=([\d.]+)ms origin=(\S+) cache=(\S+) failure=(\S+) detail=""([^""]*)"" cache_status=""([^""]*)"" role=(\S+) escalated=(\S+) attempts=(\d+) at=(\S+)$")]
    private static partial Regex TextLine();

    [GeneratedRegex(@"^(\d+\.\d{3}) +(\d+) (\S+) (TCP_[A-Z_]+)/(\d{3}) (\d+) GET (\S+) - (HIER_\w+)/(\S+) - ttfb=([\d.]+)ms cache_status=""([^""]*)"" role=(\S+) escalated=(\S+) attempts=(\d+) failure=(\S+)$")]
    private static partial Regex SquidLine();

    public async Task InitializeAsync() => _origin = await TestOriginServer.StartAsync(new TestOriginOptions { Name = "primary" });

    public async Task DisposeAsync()
    {
        await _origin.DisposeAsync();
        _dir.Delete(recursive: true);
    }

    [Theory]
    [InlineData(AccessLogFormat.Text)]
    [InlineData(AccessLogFormat.Squid)]
    [InlineData(AccessLogFormat.Json)]
    public async Task File_NRequests_NWellFormedLinesInTheFormat(AccessLogFormat format)
    {
        const int n = 25;
        var proxy = await StartAsync(("EdgeProxy:AccessLog:Format", format.ToString()));
        await using (proxy)
        {
            for (var i = 0; i < n; i++)
            {
                using var response = await proxy.Client.GetAsync($"/f/{i}?size={i + 1}&x=%22q%22");
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
        }

        var lines = await ReadLinesAsync();
        Assert.Equal(n, lines.Length);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            var (url, status, bytes, client) = Parse(format, line);
            Assert.Equal(200, status);
            Assert.Equal("127.0.0.1", client);
            var i = int.Parse(url.Split('/', '?')[2], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal($"/f/{i}?size={i + 1}&x=%22q%22", url);
            Assert.Equal(i + 1, bytes);
            Assert.True(seen.Add(url), $"duplicate line for {url}");
        }
    }

    [Fact]
    public async Task File_200ConcurrentRequests_EveryLineWholeAndParses()
    {
        const int n = 200;
        var proxy = await StartAsync(("EdgeProxy:AccessLog:Format", "Json"));
        await using (proxy)
        {
            var clients = Enumerable.Range(0, 8).Select(_ => proxy.NewClient()).ToArray();
            await Task.WhenAll(Enumerable.Range(0, n).Select(async i =>
            {
                using var response = await clients[i % clients.Length].GetAsync($"/c/{i}?size=64");
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }));
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }

        var text = await File.ReadAllTextAsync(LogPath);
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        var lines = text.TrimEnd('\n').Split('\n');
        Assert.Equal(n, lines.Length);
        var urls = lines.Select(l => Parse(AccessLogFormat.Json, l).Url).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(Enumerable.Range(0, n).Select(i => $"/c/{i}?size=64").ToHashSet(StringComparer.Ordinal), urls);
    }

    [Fact]
    public async Task File_Reopen_LaterLinesGoToTheNewFile()
    {
        var rotated = LogPath + ".1";
        var proxy = await StartAsync();
        await using (proxy)
        {
            (await proxy.Client.GetAsync("/r/before")).Dispose();
            File.Move(LogPath, rotated);
            using (var reopen = await proxy.AdminClient.PostAsync("/admin/access-log/reopen", content: null))
            {
                Assert.Equal(HttpStatusCode.Accepted, reopen.StatusCode);
            }

            (await proxy.Client.GetAsync("/r/after")).Dispose();
        }

        // "before" may have been written before or after the rename; "after" was queued after the
        // reopen request, so it is in the new file. Each line is in exactly one file.
        var fresh = await File.ReadAllLinesAsync(LogPath);
        var old = await File.ReadAllLinesAsync(rotated);
        Assert.Contains(fresh, l => l.Contains("\"GET /r/after\"", StringComparison.Ordinal));
        var all = fresh.Concat(old).ToArray();
        Assert.Equal(2, all.Length);
        Assert.Single(all, l => l.Contains("\"GET /r/before\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Logger_Reopen_IsAConflict()
    {
        await using var proxy = await ProxyInstance.StartAsync(ProxySettings.TwoOrigins(_origin.BaseAddress));

        using var response = await proxy.AdminClient.PostAsync("/admin/access-log/reopen", content: null);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
    }

    private async Task<ProxyInstance> StartAsync(params (string Key, string Value)[] extra)
    {
        var settings = ProxySettings.TwoOrigins(_origin.BaseAddress)
            .With("EdgeProxy:AccessLog:Path", LogPath)
            .With("EdgeProxy:Caching:Enabled", "false");
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        return await ProxyInstance.StartAsync(settings);
    }

    private async Task<string[]> ReadLinesAsync()
    {
        var text = await File.ReadAllTextAsync(LogPath);
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        return text.TrimEnd('\n').Split('\n');
    }

    internal static (string Url, int Status, long Bytes, string Client) Parse(AccessLogFormat format, string line)
    {
        switch (format)
        {
            case AccessLogFormat.Json:
                using (var json = JsonDocument.Parse(line))
                {
                    var root = json.RootElement;
                    Assert.True(root.GetProperty("time").TryGetDateTimeOffset(out _), line);
                    return (root.GetProperty("url").GetString()!, root.GetProperty("status").GetInt32(), root.GetProperty("bytes").GetInt64(), root.GetProperty("client").GetString()!);
                }

            case AccessLogFormat.Squid:
                var squid = SquidLine().Match(line);
                Assert.True(squid.Success, line);
                return (squid.Groups[7].Value, int.Parse(squid.Groups[5].Value, System.Globalization.CultureInfo.InvariantCulture),
                    long.Parse(squid.Groups[6].Value, System.Globalization.CultureInfo.InvariantCulture), squid.Groups[3].Value);
            default:
                var text = TextLine().Match(line);
                Assert.True(text.Success, line);
                Assert.True(DateTimeOffset.TryParse(text.Groups[15].Value, System.Globalization.CultureInfo.InvariantCulture, out _), line);
                return (text.Groups[2].Value, int.Parse(text.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture),
                    long.Parse(text.Groups[4].Value, System.Globalization.CultureInfo.InvariantCulture), text.Groups[1].Value);
        }
    }
}
