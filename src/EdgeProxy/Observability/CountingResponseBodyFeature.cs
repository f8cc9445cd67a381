using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;

namespace EdgeProxy.Observability;

/// <summary>
/// Counts the response body bytes written through either the stream or the pipe of the wrapped
/// <see cref="IHttpResponseBodyFeature"/>, for the access log's byte count.
/// </summary>
internal sealed class CountingResponseBodyFeature : Stream, IHttpResponseBodyFeature
{
    private readonly IHttpResponseBodyFeature _inner;
    private readonly ProxyRequestFeature _request;
    private readonly long _startTimestamp;
    private CountingPipeWriter? _writer;

    public CountingResponseBodyFeature(IHttpResponseBodyFeature inner, ProxyRequestFeature request, long startTimestamp = 0)
    {
        _inner = inner;
        _request = request;
        _startTimestamp = startTimestamp == 0 ? System.Diagnostics.Stopwatch.GetTimestamp() : startTimestamp;
    }

    /// <summary>Records the time to first byte the first time headers or body go out.</summary>
    private void MarkFirstByte() => MarkFirstByte(_request, _startTimestamp);

    private static void MarkFirstByte(ProxyRequestFeature request, long startTimestamp) =>
        request.TimeToFirstByteMs ??= System.Diagnostics.Stopwatch.GetElapsedTime(startTimestamp).TotalMilliseconds;

    public Stream Stream => this;

    public PipeWriter Writer => _writer ??= new CountingPipeWriter(_inner.Writer, _request, _startTimestamp);

    public void DisableBuffering() => _inner.DisableBuffering();

    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        MarkFirstByte();
        return _inner.StartAsync(cancellationToken);
    }

    public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) =>
        _inner.SendFileAsync(path, offset, count, cancellationToken);

    public Task CompleteAsync() => _inner.CompleteAsync();

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
        MarkFirstByte();
        _inner.Stream.Flush();
    }

    public override Task FlushAsync(CancellationToken cancellationToken)
    {
        MarkFirstByte();
        return _inner.Stream.FlushAsync(cancellationToken);
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count)
    {
        MarkFirstByte();
        _inner.Stream.Write(buffer, offset, count);
        _request.BytesSent += count;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        MarkFirstByte();
        _request.BytesSent += buffer.Length;
        return _inner.Stream.WriteAsync(buffer, cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private sealed class CountingPipeWriter : PipeWriter
    {
        private readonly PipeWriter _inner;
        private readonly ProxyRequestFeature _request;
        private readonly long _startTimestamp;

        public CountingPipeWriter(PipeWriter inner, ProxyRequestFeature request, long startTimestamp)
        {
            _inner = inner;
            _request = request;
            _startTimestamp = startTimestamp;
        }

        public override void Advance(int bytes)
        {
            _request.BytesSent += bytes;
            _inner.Advance(bytes);
        }

        public override Memory<byte> GetMemory(int sizeHint = 0) => _inner.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => _inner.GetSpan(sizeHint);

        public override void CancelPendingFlush() => _inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => _inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => _inner.CompleteAsync(exception);

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
        {
            MarkFirstByte(_request, _startTimestamp);
            return _inner.FlushAsync(cancellationToken);
        }

        public override ValueTask<FlushResult> WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
        {
            MarkFirstByte(_request, _startTimestamp);
            _request.BytesSent += source.Length;
            return _inner.WriteAsync(source, cancellationToken);
        }

        public override bool CanGetUnflushedBytes => _inner.CanGetUnflushedBytes;

        public override long UnflushedBytes => _inner.UnflushedBytes;
    }
}
