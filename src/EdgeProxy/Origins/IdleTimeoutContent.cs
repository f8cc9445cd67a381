using System.Net;

namespace EdgeProxy.Origins;

/// <summary>Response content whose reads fail with <see cref="OriginTimeoutException"/> after an idle gap.</summary>
internal sealed class IdleTimeoutContent : HttpContent
{
    private readonly Stream _stream;

    private IdleTimeoutContent(Stream stream) => _stream = stream;

    public static async Task<HttpContent> WrapAsync(HttpContent inner, TimeSpan idle, CancellationToken cancellationToken)
    {
        var stream = await inner.ReadAsStreamAsync(cancellationToken);
        var wrapped = new IdleTimeoutContent(new IdleTimeoutStream(stream, idle));
        foreach (var header in inner.Headers.NonValidated)
        {
            wrapped.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        return wrapped;
    }

    protected override Task<Stream> CreateContentReadStreamAsync() => Task.FromResult(_stream);

    protected override Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken) => Task.FromResult(_stream);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => _stream.CopyToAsync(stream);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken) =>
        _stream.CopyToAsync(stream, cancellationToken);

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _stream.Dispose();
        }

        base.Dispose(disposing);
    }
}
