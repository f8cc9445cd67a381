using System.Diagnostics.Metrics;
using EdgeProxy.Caching;
using EdgeProxy.Observability;

namespace EdgeProxy.Server;

/// <summary>
/// What the zero-copy hit path did (<c>EdgeProxy:Transport:ZeroCopy</c>), as metrics: the bytes of stored bodies
/// that went out with sendfile(2), the bytes of such ranges that were copied instead because a slow reader's
/// socket was full, and the memory held by bodies kept in sealed memory files.
/// </summary>
internal sealed class ZeroCopyStatistics
{
    private long _sentFileBytes;
    private long _copiedBytes;

    public ZeroCopyStatistics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(EdgeProxyMeter.Name);
        meter.CreateObservableCounter(
            "edgeproxy.transport.zero_copy",
            () => new[]
            {
                new Measurement<long>(SentFileBytes, new KeyValuePair<string, object?>("via", "sendfile")),
                new Measurement<long>(CopiedBytes, new KeyValuePair<string, object?>("via", "copy")),
            },
            "By",
            "Bytes of stored bodies sent on cleartext connections with sendfile, and copied once a slow reader's socket was full");
        meter.CreateObservableGauge(
            "edgeproxy.cache.file_backed.memory",
            static () => FileBackedBody.LiveBytes,
            "By",
            "Bytes of stored bodies kept in sealed memory files (EdgeProxy:Transport:ZeroCopy), dropped ones until they are unmapped");
    }

    public long SentFileBytes => Interlocked.Read(ref _sentFileBytes);

    public long CopiedBytes => Interlocked.Read(ref _copiedBytes);

    public void Record(long sentFile, long copied)
    {
        if (sentFile > 0)
        {
            Interlocked.Add(ref _sentFileBytes, sentFile);
        }

        if (copied > 0)
        {
            Interlocked.Add(ref _copiedBytes, copied);
        }
    }
}
