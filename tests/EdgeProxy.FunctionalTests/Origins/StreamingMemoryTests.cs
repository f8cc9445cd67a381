using System.Net;
using System.Text.Json;
using EdgeProxy.FunctionalTests.Infrastructure;
using EdgeProxy.TestOrigin;
using Xunit.Abstractions;

namespace EdgeProxy.FunctionalTests.Origins;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsAlone
{
    public const string Name = "Memory measurement (runs alone)";
}

/// <summary>
/// 20 MB bodies stream through both ways without the process allocating anything near their size.
/// Runs alone (no parallel tests) because it reads the process-wide GC allocation counter; the client
/// side uses fixed buffers so what is measured is the proxy's (and the in-process origin's) copying.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class StreamingMemoryTests(ITestOutputHelper output) : ProxiedOriginTest
{
    private const int BodySize = 20 * 1024 * 1024;


    [Fact]
    public async Task Get_20MBResponse_StreamsWithoutBufferingTheBody()
    {
        await DownloadAsync("/warmup?size=1000");
        var before = GC.GetTotalAllocatedBytes(precise: true);

        var (status, length) = await DownloadAsync($"/big/down?size={BodySize}&chunks=20");

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        output.WriteLine($"allocated {allocated:N0} bytes for a {BodySize:N0}-byte response");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(BodySize, length);
        Assert.True(allocated < BodySize / 4, $"allocated {allocated:N0} bytes while streaming a {BodySize:N0}-byte response");
    }

    [Fact]
    public async Task Post_20MBRequest_StreamsWithoutBufferingTheBody()
    {
        await UploadAsync(1000);
        var before = GC.GetTotalAllocatedBytes(precise: true);

        var length = await UploadAsync(BodySize);

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        output.WriteLine($"allocated {allocated:N0} bytes for a {BodySize:N0}-byte request");
        Assert.Equal(BodySize, length);
        Assert.True(allocated < BodySize / 4, $"allocated {allocated:N0} bytes while streaming a {BodySize:N0}-byte request");
    }

    private async Task<(HttpStatusCode Status, long Length)> DownloadAsync(string path)
    {
        using var response = await Proxy.Client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[64 * 1024];
        long total = 0;
        int read;
        while ((read = await body.ReadAsync(buffer)) > 0)
        {
            total += read;
        }

        return (response.StatusCode, total);
    }

    private async Task<long> UploadAsync(int size)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/big/up?echo=1") { Content = new PatternContent(size) };
        using var response = await Proxy.Client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        using var echo = JsonDocument.Parse(await response.Content.ReadAsStreamAsync());
        return echo.RootElement.GetProperty("bodyLength").GetInt64();
    }

    /// <summary>A request body produced from one reused buffer, so the client allocates almost nothing.</summary>
    private sealed class PatternContent(int size) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            var buffer = new byte[64 * 1024];
            Array.Fill(buffer, (byte)'x');
            for (var sent = 0; sent < size;)
            {
                var count = Math.Min(buffer.Length, size - sent);
                await stream.WriteAsync(buffer.AsMemory(0, count));
                sent += count;
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = size;
            return true;
        }
    }
}
