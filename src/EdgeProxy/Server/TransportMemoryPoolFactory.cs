using System.Buffers;
using System.Diagnostics.Metrics;
using EdgeProxy.Configuration;
using EdgeProxy.Observability;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;

namespace EdgeProxy.Server;

/// <summary>
/// Replaces ASP.NET Core's <see cref="IMemoryPoolFactory{T}"/> so Kestrel's socket transport builds its
/// connection pipes from <see cref="TransportMemoryPool"/> blocks of <c>Transport:BlockSize</c>. One pool
/// serves every listener; a timer trims it. The block size is read once at start (a restart applies a change).
/// </summary>
internal sealed class TransportMemoryPoolFactory : IMemoryPoolFactory<byte>, IDisposable
{
    private readonly TransportMemoryPool _pool;
    private readonly ITimer _trim;

    public TransportMemoryPoolFactory(IOptions<EdgeProxyOptions> options, TimeProvider time, IMeterFactory meterFactory)
    {
        var transport = options.Value.Transport;
        _pool = new TransportMemoryPool(transport.BlockSize);
        _trim = time.CreateTimer(static state => ((TransportMemoryPool)state!).Trim(), _pool, transport.TrimInterval, transport.TrimInterval);
        var blockSize = transport.BlockSize;
        var pool = _pool;
        meterFactory.Create(EdgeProxyMeter.Name).CreateObservableGauge(
            "edgeproxy.transport.pool.memory",
            () => new[]
            {
                new Measurement<long>((pool.AllocatedBlocks - pool.IdleBlocks) * blockSize, new KeyValuePair<string, object?>("state", "in_use")),
                new Measurement<long>(pool.IdleBlocks * blockSize, new KeyValuePair<string, object?>("state", "idle")),
            },
            "By",
            "Bytes of Kestrel connection buffers (EdgeProxy:Transport:BlockSize blocks) in use and idle in the pool");
    }

    internal TransportMemoryPool Pool => _pool;

    public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => _pool;

    public void Dispose() => _trim.Dispose();
}
