using System.Diagnostics;
using EdgeProxy.Configuration;
using EdgeProxy.FunctionalTests.Infrastructure;
using EdgeProxy.Observability;
using EdgeProxy.TestOrigin;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeProxy.FunctionalTests.Observability;

/// <summary>The file output's drop counting and the start-up checks of <c>EdgeProxy:AccessLog:Path</c>.</summary>
public sealed class AccessLogQueueTests : IAsyncLifetime
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("edgeproxy-accesslog-");
    private TestOriginServer _origin = null!;

    public async Task InitializeAsync() => _origin = await TestOriginServer.StartAsync(new TestOriginOptions { Name = "primary" });

    public async Task DisposeAsync()
    {
        await _origin.DisposeAsync();
        _dir.Delete(recursive: true);
    }

    /// <summary>
    /// The log "file" is a FIFO nobody reads yet: once the pipe is full the writer blocks, the one-entry
    /// queue fills and further entries are dropped and counted. Then the FIFO is read to the end:
    /// every entry was either written as a whole line or counted, never both.
    /// </summary>
    [Fact]
    public async Task File_QueueFullWhileOutputBlocked_DropsAreCounted()
    {
        var fifo = Path.Combine(_dir.FullName, "access.fifo");
        using (var mkfifo = Process.Start("mkfifo", fifo))
        {
            await mkfifo.WaitForExitAsync();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        // Opening a FIFO blocks until the other end opens: the reader here, the writer in the proxy's start-up.
        var readerOpened = Task.Run(() => new FileStream(fifo, FileMode.Open, FileAccess.Read));
        var settings = ProxySettings.TwoOrigins(_origin.BaseAddress)
            .With("EdgeProxy:AccessLog:Path", fifo)
            .With("EdgeProxy:AccessLog:QueueCapacity", "1")
            .With("EdgeProxy:AccessLog:Format", "Json")
            .With("EdgeProxy:Caching:Enabled", "false");
        var proxy = await ProxyInstance.StartAsync(settings);
        await using var reader = await readerOpened;
        var writer = proxy.App.Services.GetRequiredService<AccessLogWriter>();

        var sent = 0;
        while (writer.Dropped < 10 && sent < 5000)
        {
            using var response = await proxy.Client.GetAsync($"/d/{sent}?size=1");
            sent++;
        }

        // The last request's entry may still be on its way when its response has arrived: the count can grow by one
        // until the proxy has stopped, so the metric is read between two readings of the writer's count.
        var before = writer.Dropped;
        var metrics = PrometheusText.Parse(await proxy.AdminClient.GetStringAsync("/metrics"));
        var after = writer.Dropped;
        var reported = (long)Assert.Single(metrics["edgeproxy_accesslog_dropped_total"].Samples).Value;
        Assert.InRange(reported, before, after);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var readAll = new StreamReader(reader).ReadToEndAsync(timeout.Token);
        await proxy.DisposeAsync();
        var text = await readAll;

        var dropped = writer.Dropped;
        Assert.InRange(dropped, 10, before + 1);
        var lines = text.TrimEnd('\n').Split('\n');
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        Assert.Equal(sent - dropped, lines.Length);
        Assert.All(lines, l => AccessLogFileTests.Parse(AccessLogFormat.Json, l));
    }

    [Fact]
    public async Task Path_DirectoryMissing_StartUpFailsNamingTheKey()
    {
        var missing = Path.Combine(_dir.FullName, "no-such-dir", "access.log");
        var settings = ProxySettings.TwoOrigins(_origin.BaseAddress).With("EdgeProxy:AccessLog:Path", missing);

        var ex = await Assert.ThrowsAsync<EdgeProxyConfigurationException>(() => ProxyInstance.StartAsync(settings));

        var error = Assert.Single(ex.Errors);
        Assert.StartsWith("EdgeProxy:AccessLog:Path", error, StringComparison.Ordinal);
        Assert.Contains("no-such-dir", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Path_IsADirectory_StartUpFailsNamingTheKey()
    {
        var settings = ProxySettings.TwoOrigins(_origin.BaseAddress).With("EdgeProxy:AccessLog:Path", _dir.FullName);

        var ex = await Assert.ThrowsAsync<EdgeProxyConfigurationException>(() => ProxyInstance.StartAsync(settings));

        Assert.StartsWith("EdgeProxy:AccessLog:Path", Assert.Single(ex.Errors), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("stdout")]
    [InlineData("new.log")]
    public async Task Path_StdoutOrNewFile_StartsAndCreatesTheFile(string value)
    {
        var path = value == "stdout" ? value : Path.Combine(_dir.FullName, value);
        var settings = ProxySettings.TwoOrigins(_origin.BaseAddress).With("EdgeProxy:AccessLog:Path", path);

        await using (var proxy = await ProxyInstance.StartAsync(settings))
        {
            Assert.True(proxy.App.Services.GetRequiredService<AccessLogWriter>().WritesToFile == (value != "stdout"));
        }

        Assert.Equal(value != "stdout", File.Exists(Path.Combine(_dir.FullName, value)));
    }
}
