using Yarp.ReverseProxy.Forwarder;

namespace EdgeProxy.Escalation;

/// <summary>
/// Wraps a route's transformer for escalating requests. When origin response headers carry a status the
/// cluster escalates on (and escalation is still possible), it returns false before the route's own
/// response transforms run: YARP then copies no headers or body, disposes the origin response and
/// reports success, and <see cref="EscalatingOriginClient"/> clears the response and asks the secondary.
/// Nothing has reached the client by then (YARP only sets the status code, which is cleared).
/// </summary>
internal sealed class EscalationTransformer : HttpTransformer
{
    private readonly HttpTransformer _inner;

    public EscalationTransformer(HttpTransformer inner) => _inner = inner;

    public override ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken) =>
        _inner.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);

    public override ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        if (proxyResponse is not null
            && httpContext.Features.Get<EscalationState>() is { } state
            && state.OnResponseHeaders((int)proxyResponse.StatusCode))
        {
            return new ValueTask<bool>(false);
        }

        return _inner.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
    }

    public override ValueTask TransformResponseTrailersAsync(HttpContext httpContext, HttpResponseMessage proxyResponse, CancellationToken cancellationToken) =>
        _inner.TransformResponseTrailersAsync(httpContext, proxyResponse, cancellationToken);
}
