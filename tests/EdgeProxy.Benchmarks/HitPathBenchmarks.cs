using BenchmarkDotNet.Attributes;
using EdgeProxy.Server;

namespace EdgeProxy.Benchmarks;

/// <summary>
/// The whole hit path: a keep-alive client asks the proxy for an object already in its cache. The
/// client (<see cref="RawHttpClient"/>) allocates nothing per request, and the origin is not called
/// (checked in setup), so "Allocated" is what EdgeProxy and Kestrel allocate to serve one hit.
/// </summary>
[MemoryDiagnoser]
public class HitPathBenchmarks : IDisposable
{
    private BenchmarkProxy _proxy = null!;
    private RawHttpClient _client = null!;
    private byte[] _request = null!;

    [Params(1024, 102400)]
    public int Size { get; set; }

    [Params(false, true)]
    public bool AccessLog { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _proxy = await BenchmarkProxy.StartAsync(AccessLog);
        _client = await RawHttpClient.ConnectAsync(_proxy.Address);
        _request = RawHttpClient.EncodeGet($"/bench/hit?size={Size}&cc=public,max-age=600", "bench.local");
        for (var i = 0; i < 3; i++)
        {
            await _client.SendAsync(_request);
        }

        var originRequests = _proxy.Origin.Counters.For("/bench/hit");
        if (originRequests != 1)
        {
            throw new InvalidOperationException($"expected the object to be cached after one origin request, the origin saw {originRequests}");
        }
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
    public ValueTask<(int Status, long Length)> Hit() => _client.SendAsync(_request);
}
