using BenchmarkDotNet.Attributes;

namespace EdgeProxy.Benchmarks;

/// <summary>
/// A whole request through the proxy on loopback (client → EdgeProxy → test origin → back), in one
/// process, so MemoryDiagnoser's allocated bytes cover the client, the proxy and the origin together.
/// </summary>
[MemoryDiagnoser]
public class ForwardingBenchmarks : IDisposable
{
    private BenchmarkProxy _proxy = null!;
    private HttpClient _client = null!;
    private byte[] _buffer = null!;

    [Params(1024, 102400)]
    public int Size { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _proxy = await BenchmarkProxy.StartAsync(accessLog: false);
        _client = new HttpClient { BaseAddress = _proxy.Address };
        _buffer = new byte[128 * 1024];
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _client.Dispose();
        await _proxy.DisposeAsync();
    }

    public void Dispose()
    {
        _client?.Dispose();
        GC.SuppressFinalize(this);
    }

    [Benchmark]
    public async Task<int> ForwardGet()
    {
        using var response = await _client.GetAsync($"/bench/forward?size={Size}", HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        var total = 0;
        int read;
        while ((read = await body.ReadAsync(_buffer)) > 0)
        {
            total += read;
        }

        return total;
    }
}
