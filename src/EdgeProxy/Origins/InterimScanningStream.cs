using System.Runtime.CompilerServices;

namespace EdgeProxy.Origins;

/// <summary>
/// An HTTP/1.x origin connection's plaintext stream (after TLS, installed by <see cref="OriginHttpClientFactory"/>
/// as SocketsHttpHandler's PlaintextStreamFilter): a request write starts the request's <see cref="HeaderClock"/>
/// (as <see cref="SignalingStream"/> does on HTTP/2) and its <see cref="InterimScanner"/> sees the request writes
/// and the bytes read. The bytes pass through unchanged; a read nobody needs scanned is the inner read.
/// </summary>
internal sealed class InterimScanningStream : PassThroughStream
{
    private readonly InterimScanner _scanner = new();

    public InterimScanningStream(Stream inner)
        : base(inner)
    {
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        _scanner.ShouldScanRead() ? ScanReadAsync(buffer, cancellationToken) : Inner.ReadAsync(buffer, cancellationToken);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ScanReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var read = await Inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        _scanner.OnRead(buffer.Span[..read]);
        return read;
    }

    public override int Read(Span<byte> buffer)
    {
        var scan = _scanner.ShouldScanRead();
        var read = Inner.Read(buffer);
        if (scan)
        {
            _scanner.OnRead(buffer[..read]);
        }

        return read;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        OnRequestWritten();
        return Inner.WriteAsync(buffer, cancellationToken);
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        OnRequestWritten();
        Inner.Write(buffer);
    }

    private void OnRequestWritten()
    {
        var clock = HeaderClock.Current;
        clock?.OnRequestWritten();
        _scanner.OnRequestWritten(clock);
    }
}
