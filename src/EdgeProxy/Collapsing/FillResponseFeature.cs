using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;

namespace EdgeProxy.Collapsing;

/// <summary>
/// The response side of a fill's detached <see cref="HttpContext"/>: YARP's forwarder writes status,
/// headers and body here as if to a client. Starting the response publishes the head to the fill's
/// readers; every body write appends to the fill. Also the detached request's lifetime (the fill's own
/// cancellation, not any client's).
/// </summary>
internal sealed class FillResponseFeature : IHttpResponseFeature, IHttpResponseBodyFeature, IHttpRequestLifetimeFeature, IDisposable
{
    private readonly Fill _fill;
    private readonly Func<int, IHeaderDictionary, FillHead>? _onHead;
    private readonly long _resumeFrom;
    private readonly string? _resumeETag;
    private readonly FillWriteStream _stream;
    private List<(Func<object, Task> Callback, object State)>? _onStarting;
    private PipeWriter? _writer;

    public FillResponseFeature(Fill fill, Func<int, IHeaderDictionary, FillHead> onHead)
    {
        _fill = fill;
        _onHead = onHead;
        _stream = new FillWriteStream(this);
        RequestAborted = fill.Token;
    }

    /// <summary>A resume of a broken fill: the answer must be a 206 continuing at <paramref name="from"/> with the same strong ETag; its bytes append to the fill.</summary>
    public FillResponseFeature(Fill fill, long from, string etag)
    {
        _fill = fill;
        _resumeFrom = from;
        _resumeETag = etag;
        _stream = new FillWriteStream(this);
        RequestAborted = fill.Token;
    }

    public int StatusCode { get; set; } = 200;

    public string? ReasonPhrase { get; set; }

    public IHeaderDictionary Headers { get; set; } = new HeaderDictionary();

    [Obsolete("Use IHttpResponseBodyFeature.Stream")]
    public Stream Body
    {
        get => _stream;
        set => throw new NotSupportedException();
    }

    public bool HasStarted { get; private set; }

    public Stream Stream => _stream;

    public PipeWriter Writer => _writer ??= PipeWriter.Create(_stream, new StreamPipeWriterOptions(leaveOpen: true));

    public CancellationToken RequestAborted { get; set; }

    /// <summary>
    /// The forwarder aborts "the client" when a body breaks; a fill has no client connection, and its own
    /// end (and a possible resume) is decided from the attempt's result, so this only records it.
    /// </summary>
    public void Abort() => Aborted = true;

    public bool Aborted { get; private set; }

    public void OnStarting(Func<object, Task> callback, object state) => (_onStarting ??= []).Add((callback, state));

    public void OnCompleted(Func<object, Task> callback, object state)
    {
    }

    public void DisableBuffering()
    {
    }

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (HasStarted)
        {
            return;
        }

        if (_onStarting is { } callbacks)
        {
            for (var i = callbacks.Count - 1; i >= 0; i--)
            {
                await callbacks[i].Callback(callbacks[i].State);
            }
        }

        HasStarted = true;
        if (_onHead is not null)
        {
            _fill.PublishHead(_onHead(StatusCode, Headers));
        }
        else if (StatusCode != StatusCodes.Status206PartialContent
            || !Headers.ContentRange.ToString().StartsWith("bytes " + _resumeFrom.ToString(System.Globalization.CultureInfo.InvariantCulture) + "-", StringComparison.Ordinal)
            || Headers.ETag.ToString() != _resumeETag)
        {
            throw new InvalidOperationException($"The origin's answer to the resume (status {StatusCode}, Content-Range '{Headers.ContentRange}') does not continue the body at byte {_resumeFrom}.");
        }
    }

    public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("A fill has no files to send.");

    public async Task CompleteAsync()
    {
        await StartAsync();
        if (_writer is not null)
        {
            await _writer.FlushAsync();
        }
    }

    public void Dispose() => _stream.Dispose();

    internal async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        await StartAsync(cancellationToken);
        if (!data.IsEmpty)
        {
            await _fill.AppendAsync(data, cancellationToken);
        }
    }

    /// <summary>Write-only stream the forwarder copies the origin's body into.</summary>
    private sealed class FillWriteStream(FillResponseFeature owner) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => owner.StartAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            owner.WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            owner.WriteAsync(buffer, cancellationToken);
    }
}
