using BenchmarkDotNet.Attributes;
using EdgeProxy.Admin;
using EdgeProxy.TestOrigin;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeProxy.Benchmarks;

/// <summary>
/// A cache hit through the whole proxy on loopback (client → EdgeProxy, the origin is asked once in
/// setup), in one process: MemoryDiagnoser's bytes are the client's plus Kestrel's plus the hit path's.
/// </summary>
[MemoryDiagnoser]
public class CacheHitBenchmarks : IDisposable
{
    private TestOriginServer _origin = null!;
    private WebApplication _proxy = null!;
    private HttpClient _client = null!;
    private byte[] _buffer = null!;
    private string _url = null!;

    [Params(1024, 102400)]
    public int Size { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _origin = await TestOriginServer.StartAsync();
        _proxy = EdgeProxyHost.Build([], new Dictionary<string, string?>
        {
            ["Kestrel:Endpoints:Proxy:Url"] = "http://127.0.0.1:0",
            ["Kestrel:Endpoints:Admin:Url"] = "http://127.0.0.1:0",
            ["ReverseProxy:Clusters:primary:Destinations:origin1:Address"] = _origin.BaseAddress.ToString(),
            ["Serilog:MinimumLevel:Default"] = "Warning",
            ["EdgeProxy:AccessLog:Enabled"] = "false",
        });
        await _proxy.StartAsync();
        var address = _proxy.Services.GetRequiredService<EdgeProxyListeners>().ProxyAddresses[0];
        _client = new HttpClient { BaseAddress = address };
        _buffer = new byte[128 * 1024];
        _url = $"/bench/hit?size={Size}&cc=max-age%3D86400";
        await HitGet(); // the one miss
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _client.Dispose();
        await _proxy.StopAsync();
        await _proxy.DisposeAsync();
        await _origin.DisposeAsync();
    }

    public void Dispose()
    {
        _client?.Dispose();
        GC.SuppressFinalize(this);
    }

    [Benchmark]
    public async Task<int> HitGet()
    {
        using var response = await _client.GetAsync(_url, HttpCompletionOption.ResponseHeadersRead);
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
