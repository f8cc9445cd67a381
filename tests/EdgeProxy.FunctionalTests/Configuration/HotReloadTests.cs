using System.Net;
using System.Text.Json;
using EdgeProxy.FunctionalTests.Infrastructure;
using EdgeProxy.TestOrigin;

namespace EdgeProxy.FunctionalTests.Configuration;

/// <summary>
/// The file given with <c>--config</c> changes under a running proxy: a valid file switches routes,
/// clusters and EdgeProxy options; an invalid one is rejected with a log line and the old configuration
/// stays. Each step waits on the reload log line (a gate on the log sink), never on a timer.
/// </summary>
public sealed class HotReloadTests : IAsyncLifetime
{
    private const int Accepted = 5020;
    private const int Rejected = 5021;

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("edgeproxy-reload-");
    private TestOriginServer _a = null!;
    private TestOriginServer _b = null!;

    private string ConfigPath => Path.Combine(_dir.FullName, "edge.json");

    public async Task InitializeAsync()
    {
        _a = await TestOriginServer.StartAsync(new TestOriginOptions { Name = "a" });
        _b = await TestOriginServer.StartAsync(new TestOriginOptions { Name = "b" });
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        _dir.Delete(recursive: true);
    }

    [Fact]
    public async Task ConfigFile_GoodChangeApplies_BadChangesRejectedAndOldStays()
    {
        Write(Config(_a.BaseAddress, "Text"));
        await using var proxy = await ProxyInstance.StartAsync(ProxySettings.Base().With("hostBuilder:reloadConfigOnChange", "true"), args: ["--config", ConfigPath]);
        Assert.Equal("a", await OriginOfAsync(proxy, "/r/1"));

        // A good file: the cluster's destination and the access-log format both change.
        var accepted = Count(proxy, Accepted);
        Write(Config(_b.BaseAddress, "Json"));
        await proxy.Logs.WaitForAsync(l => l.EventId.Id == Accepted && Count(proxy, Accepted) > accepted);
        Assert.Equal("b", await OriginOfAsync(proxy, "/r/2"));
        var line = await proxy.Logs.WaitForAccessLogAsync("/r/2");
        Assert.Equal(1002, line.EventId.Id);

        // A file that does not parse: rejected, still b and still JSON.
        Write("{ \"ReverseProxy\": { this is not json");
        await proxy.Logs.WaitForAsync(l => l.EventId.Id == Rejected && l.Message.Contains("edge.json", StringComparison.Ordinal));
        Assert.Equal("b", await OriginOfAsync(proxy, "/r/3"));

        // Valid JSON with an unknown key and a new destination: rejected as a whole, still b.
        Write(Config(_a.BaseAddress, "Text", extra: ",\"Bogus\": 1"));
        await proxy.Logs.WaitForAsync(l => l.EventId.Id == Rejected && l.Message.Contains("EdgeProxy:Bogus: unknown key", StringComparison.Ordinal));
        Assert.Equal("b", await OriginOfAsync(proxy, "/r/4"));
        Assert.Equal(1002, (await proxy.Logs.WaitForAccessLogAsync("/r/4")).EventId.Id);
        Assert.Equal(0, _a.Counters.For("/r/4"));
    }

    [Fact]
    public async Task ConfigFile_ChangeWhileRequestInFlight_RequestFinishesOnOldOrigin()
    {
        Write(Config(_a.BaseAddress, "Text"));
        await using var proxy = await ProxyInstance.StartAsync(ProxySettings.Base().With("hostBuilder:reloadConfigOnChange", "true"), args: ["--config", ConfigPath]);

        var inFlight = proxy.Client.GetAsync("/slow?gate=reload&size=3000");
        await _a.Gates.WhenReceived("/slow").WaitAsync(TimeSpan.FromSeconds(15));
        var accepted = Count(proxy, Accepted);
        Write(Config(_b.BaseAddress, "Text"));
        await proxy.Logs.WaitForAsync(l => l.EventId.Id == Accepted && Count(proxy, Accepted) > accepted);
        _a.Gates.Release("reload");

        using var response = await inFlight;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(TestOriginServer.ExpectedBody("/slow", 3000), await response.Content.ReadAsByteArrayAsync());
        Assert.Equal("b", await OriginOfAsync(proxy, "/after"));
    }

    [Fact]
    public async Task ConfigFile_ChangeYarpRejects_YarpKeepsOldRoutesAndClusters()
    {
        Write(Config(_a.BaseAddress, "Text"));
        await using var proxy = await ProxyInstance.StartAsync(ProxySettings.Base().With("hostBuilder:reloadConfigOnChange", "true"), args: ["--config", ConfigPath]);
        Assert.Equal("a", await OriginOfAsync(proxy, "/y/1"));

        // EdgeProxy's own checks pass, YARP's route-template check does not: YARP logs and keeps its old config.
        Write(Config(_b.BaseAddress, "Text").Replace("\"ReverseProxy\": {", "\"ReverseProxy\": { \"Routes\": { \"default\": { \"ClusterId\": \"primary\", \"Match\": { \"Path\": \"/{bad\" } } },", StringComparison.Ordinal));
        await proxy.Logs.WaitForAsync(l => l.Level == Microsoft.Extensions.Logging.LogLevel.Error && l.Category.StartsWith("Yarp", StringComparison.Ordinal));

        Assert.Equal("a", await OriginOfAsync(proxy, "/y/2"));
    }

    private static int Count(ProxyInstance proxy, int eventId) => proxy.Logs.Lines.Count(l => l.EventId.Id == eventId);

    private static async Task<string?> OriginOfAsync(ProxyInstance proxy, string path)
    {
        using var response = await proxy.Client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response.Headers.TryGetValues("X-Origin", out var values) ? values.Single() : null;
    }

    private static string Config(Uri primary, string accessLogFormat, string extra = "") => $$"""
        {
          "ReverseProxy": {
            "Clusters": {
              "primary": { "Destinations": { "origin1": { "Address": {{JsonSerializer.Serialize(primary.ToString())}} } } }
            }
          },
          "EdgeProxy": {
            "AccessLog": { "Format": "{{accessLogFormat}}" }{{extra}}
          }
        }
        """;

    /// <summary>Replaces the file atomically (write aside, rename), so the watcher never sees half a file.</summary>
    private void Write(string content)
    {
        var aside = Path.Combine(_dir.FullName, $"next-{Guid.NewGuid():N}.tmp");
        File.WriteAllText(aside, content);
        File.Move(aside, ConfigPath, overwrite: true);
    }
}
