using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;

namespace EdgeProxy.Observability;

/// <summary>
/// Counts the response body bytes written through either the pipe or the stream of the wrapped
/// <see cref="IHttpResponseBodyFeature"/>, for the access log's byte count, and records the time to
/// first byte. The feature is its own <see cref="PipeWriter"/> (what a cache hit writes to: one object per
/// request); the stream (what forwarding writes to) is created when first asked for.
/// </summary>
internal sealed class CountingResponseBodyFeature : PipeWriter, IHttpResponseBodyFeature
{
    private readonly IHttpResponseBodyFeature _inner;
    private readonly ProxyRequestFeature _request;
    private readonly long _startTimestamp;
    private PipeWriter? _innerWriter;
    private CountingStream? _stream;

    public CountingResponseBodyFeature(IHttpResponseBodyFeature inner, ProxyRequestFeature request, long startTimestamp = 0)
    {
        _inner = inner;
        _request = request;
        _startTimestamp = startTimestamp == 0 ? System.Diagnostics.Stopwatch.GetTimestamp() : startTimestamp;
    }

    /// <summary>The feature this one wraps (put back when the request ends).</summary>
    public IHttpResponseBodyFeature Inner => _inner;

    /// <summary>Where the bytes and the time to first byte are recorded.</summary>
    public ProxyRequestFeature Request => _request;

    /// <summary>When the request began (<see cref="System.Diagnostics.Stopwatch"/> ticks).</summary>
    public long StartTimestamp => _startTimestamp;

    /// <summary>Records the time to first byte the first time headers or body go out.</summary>
    private void MarkFirstByte() =>
        _request.TimeToFirstByteMs ??= System.Diagnostics.Stopwatch.GetElapsedTime(_startTimestamp).TotalMilliseconds;

    public Stream Stream => _stream ??= new CountingStream(this);

    public PipeWriter Writer => this;

    private PipeWriter InnerWriter => _innerWriter ??= _inner.Writer;

    public void DisableBuffering() => _inner.DisableBuffering();

    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        MarkFirstByte();
        return _inner.StartAsync(cancellationToken);
    }

    public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) =>
        _inner.SendFileAsync(path, offset, count, cancellationToken);

    public Task CompleteAsync() => _inner.CompleteAsync();

    // PipeWriter: counted on Advance / WriteAsync, first byte on flush or write.
    public override void Advance(int bytes)
    {
        _request.BytesSent += bytes;
        InnerWriter.Advance(bytes);
    }

    public override Memory<byte> GetMemory(int sizeHint = 0) => InnerWriter.GetMemory(sizeHint);

    public override Span<byte> GetSpan(int sizeHint = 0) => InnerWriter.GetSpan(sizeHint);

    public override void CancelPendingFlush() => InnerWriter.CancelPendingFlush();

    public override void Complete(Exception? exception = null) => InnerWriter.Complete(exception);

    public override ValueTask CompleteAsync(Exception? exception = null) => InnerWriter.CompleteAsync(exception);

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        MarkFirstByte();
        return InnerWriter.FlushAsync(cancellationToken);
    }

    public override ValueTask<FlushResult> WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
    {
        MarkFirstByte();
        _request.BytesSent += source.Length;
        return InnerWriter.WriteAsync(source, cancellationToken);
    }

    public override bool CanGetUnflushedBytes => InnerWriter.CanGetUnflushedBytes;

    public override long UnflushedBytes => InnerWriter.UnflushedBytes;

    private sealed class CountingStream : Stream
    {
        private readonly CountingResponseBodyFeature _owner;

        public CountingStream(CountingResponseBodyFeature owner) => _owner = owner;

        private Stream Inner => _owner._inner.Stream;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override void Flush()
        {
            _owner.MarkFirstByte();
            Inner.Flush();
        }

        public override Task FlushAsync(CancellationToken cancellationToken)
        {
            _owner.MarkFirstByte();
            return Inner.FlushAsync(cancellationToken);
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            _owner.MarkFirstByte();
            Inner.Write(buffer, offset, count);
            _owner._request.BytesSent += count;
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            _owner.MarkFirstByte();
            _owner._request.BytesSent += buffer.Length;
            return Inner.WriteAsync(buffer, cancellationToken);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }
}
