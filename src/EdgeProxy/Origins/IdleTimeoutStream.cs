namespace EdgeProxy.Origins;

/// <summary>A read-only stream that fails a read which waits longer than the idle timeout.</summary>
internal sealed class IdleTimeoutStream : Stream
{
    private readonly Stream _inner;
    private readonly TimeSpan _idle;
    private readonly CancellationTokenSource _timer = new();

    public IdleTimeoutStream(Stream inner, TimeSpan idle)
    {
        _inner = inner;
        _idle = idle;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _timer.CancelAfter(_idle);
        using var link = cancellationToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), _timer);
        try
        {
            return await _inner.ReadAsync(buffer, _timer.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new OriginTimeoutException(OriginFailureKind.BodyIdleTimeout, _idle);
        }
        finally
        {
            _timer.CancelAfter(Timeout.Infinite);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
            _timer.Dispose();
        }

        base.Dispose(disposing);
    }
}
