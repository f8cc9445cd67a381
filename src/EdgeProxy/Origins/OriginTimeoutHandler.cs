using System.Net;

namespace EdgeProxy.Origins;

/// <summary>
/// Enforces the cluster's response-header timeout (the silent origin: request sent, no headers) and
/// wraps the response body so a stall longer than the body idle timeout fails the read. The header
/// clock (<see cref="HeaderClock"/>) starts once the request has been written to a connection, or for
/// a request with a body once the body has been sent: neither connect time (the connect timeout's phase,
/// enforced by <see cref="OriginHttpClientFactory"/>'s connect step) nor a slow upload counts as silence.
/// </summary>
internal sealed class OriginTimeoutHandler : DelegatingHandler
{
    private readonly string _clusterId;
    private readonly OriginSettings _settings;
    private readonly TimeProvider _time;

    public OriginTimeoutHandler(HttpMessageHandler inner, string clusterId, OriginSettings settings, TimeProvider time)
        : base(inner)
    {
        _clusterId = clusterId;
        _settings = settings;
        _time = time;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var settings = _settings.For(_clusterId);
        var hasBody = request.Content is { } content && content.Headers.ContentLength != 0;
        using var clock = new HeaderClock(settings.ConnectTimeout, settings.ResponseHeaderTimeout, hasBody, _time);
        using var headerDeadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, clock.Token);
        if (hasBody)
        {
            request.Content = new HeaderClockContent(request.Content!, clock);
        }

        HttpResponseMessage response;
        HeaderClock.Current = clock;
        try
        {
            response = await base.SendAsync(request, headerDeadline.Token);
        }
        catch (OperationCanceledException) when (clock.Fired && !cancellationToken.IsCancellationRequested)
        {
            throw new OriginTimeoutException(OriginFailureKind.ResponseHeaderTimeout, settings.ResponseHeaderTimeout);
        }
        finally
        {
            HeaderClock.Current = null;
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
        private readonly HeaderClock _clock;

        public HeaderClockContent(HttpContent inner, HeaderClock clock)
        {
            _inner = inner;
            _clock = clock;
            foreach (var header in inner.Headers.NonValidated)
            {
                Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            await _inner.CopyToAsync(stream, context, cancellationToken);
            _clock.OnBodySent();
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
