using Yarp.ReverseProxy.Forwarder;

namespace EdgeProxy.Escalation;

/// <summary>
/// Wraps a route's transformer for escalating requests. When origin response headers carry a status the
/// cluster escalates on (and escalation is still possible), it returns false before the route's own
/// response transforms run: YARP then copies no headers or body, disposes the origin response and
/// reports success, and <see cref="EscalatingOriginClient"/> clears the response and asks the secondary.
/// Nothing has reached the client by then (YARP only sets the status code, which is cleared).
/// With hedging it also decides the race: the first accepted headers win (<see cref="HedgeRace"/>).
/// </summary>
internal sealed class EscalationTransformer : HttpTransformer
{
    private readonly HttpTransformer _inner;

    public EscalationTransformer(HttpTransformer inner) => _inner = inner;

    public override ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken) =>
        _inner.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);

    public override ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        if (proxyResponse is null || httpContext.Features.Get<EscalationState>() is not { } state)
        {
            return _inner.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
        }

        var status = (int)proxyResponse.StatusCode;
        if (state.OnResponseHeaders(status))
        {
            return new ValueTask<bool>(false);
        }

        if (state.Race is not { } race)
        {
            return _inner.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
        }

        if (!race.TryWin(state.IsHedge))
        {
            return new ValueTask<bool>(false); // the other side of the hedge already answers the client
        }

        if (!state.IsHedge)
        {
            race.PrimaryWins(state, status);
            return _inner.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
        }

        return HedgeWinsAsync(race, state, httpContext, proxyResponse, status, cancellationToken);
    }

    private async ValueTask<bool> HedgeWinsAsync(HedgeRace race, EscalationState state, HttpContext httpContext, HttpResponseMessage proxyResponse, int status, CancellationToken cancellationToken)
    {
        await race.HedgeWinsAsync(state, status);
        return await _inner.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
    }

    public override ValueTask TransformResponseTrailersAsync(HttpContext httpContext, HttpResponseMessage proxyResponse, CancellationToken cancellationToken) =>
        _inner.TransformResponseTrailersAsync(httpContext, proxyResponse, cancellationToken);
}
