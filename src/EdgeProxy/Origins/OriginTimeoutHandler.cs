using System.Net;

namespace EdgeProxy.Origins;

/// <summary>
/// Enforces the cluster's response-header timeout (the silent origin: request sent, no headers) and
/// wraps the response body so a stall longer than the body idle timeout fails the read. The header
/// clock starts once the request body (if any) has been sent, so a slow upload is not a silent origin.
/// </summary>
internal sealed class OriginTimeoutHandler : DelegatingHandler
{
    private readonly string _clusterId;
    private readonly OriginSettings _settings;

    public OriginTimeoutHandler(HttpMessageHandler inner, string clusterId, OriginSettings settings)
        : base(inner)
    {
        _clusterId = clusterId;
        _settings = settings;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var settings = _settings.For(_clusterId);
        using var headerDeadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (request.Content is { } content && content.Headers.ContentLength != 0)
        {
            request.Content = new HeaderClockContent(content, headerDeadline, settings.ResponseHeaderTimeout);
        }
        else
        {
            headerDeadline.CancelAfter(settings.ResponseHeaderTimeout);
        }

        HttpResponseMessage response;
        try
        {
            response = await base.SendAsync(request, headerDeadline.Token);
        }
        catch (OperationCanceledException) when (headerDeadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new OriginTimeoutException(OriginFailureKind.ResponseHeaderTimeout, settings.ResponseHeaderTimeout);
        }

        var isTunnel = response.StatusCode == HttpStatusCode.SwitchingProtocols || request.Method == HttpMethod.Connect;
        if (!isTunnel && settings.BodyIdleTimeout != Timeout.InfiniteTimeSpan)
        {
            response.Content = await IdleTimeoutContent.WrapAsync(response.Content, settings.BodyIdleTimeout, cancellationToken);
        }

        return response;
    }

    /// <summary>Request content that starts the header clock when it has been fully sent.</summary>
    private sealed class HeaderClockContent : HttpContent
    {
        private readonly HttpContent _inner;
        private readonly CancellationTokenSource _deadline;
        private readonly TimeSpan _timeout;

        public HeaderClockContent(HttpContent inner, CancellationTokenSource deadline, TimeSpan timeout)
        {
            _inner = inner;
            _deadline = deadline;
            _timeout = timeout;
            foreach (var header in inner.Headers)
            {
                Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            await _inner.CopyToAsync(stream, context, cancellationToken);
            try
            {
                _deadline.CancelAfter(_timeout);
            }
            catch (ObjectDisposedException)
            {
                // Headers already came (the origin answered before reading the whole body).
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            var known = _inner.Headers.ContentLength;
            length = known ?? 0;
            return known.HasValue;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
