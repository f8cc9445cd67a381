using EdgeProxy.Observability;
using EdgeProxy.Origins;
using Yarp.ReverseProxy.Model;

namespace EdgeProxy.Escalation;

/// <summary>Hedging: after <c>HedgeDelay</c> without response headers from the primary, race the secondary.</summary>
internal sealed partial class EscalatingOriginClient
{
    /// <summary>The primary's attempt, hedged when the cluster asks for it and the request can be sent twice.</summary>
    private ValueTask<OriginAttempt> PrimaryAttemptAsync(EscalationState state, CancellationToken cancellationToken) =>
        state.Policy.HedgeDelay is { } delay && state.CanRetry && state.SecondaryRoute is not null
            ? HedgedAttemptAsync(state, delay, cancellationToken)
            : AttemptAsync(state, cancellationToken);

    private async ValueTask<OriginAttempt> HedgedAttemptAsync(EscalationState state, TimeSpan delay, CancellationToken cancellationToken)
    {
        using var primaryCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var hedgeCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var race = new HedgeRace(primaryCancellation, hedgeCancellation);
        state.Race = race;
        var primaryTask = AttemptAsync(state, primaryCancellation.Token).AsTask();
        race.PrimaryTask = primaryTask;

        using (var delayCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            var delayTask = Task.Delay(delay, _time, delayCancellation.Token);
            var first = await Task.WhenAny(primaryTask, delayTask);
            await delayCancellation.CancelAsync();
            if (first == primaryTask || state.Status is not null || cancellationToken.IsCancellationRequested)
            {
                return await primaryTask; // answered (or failed) in time, or headers arrived: no hedge
            }
        }

        var hedgeContext = CreateHedgeContext(state.Context, hedgeCancellation.Token);
        var hedgeState = new EscalationState(hedgeContext, state.Policy, state.Deadline)
        {
            IsHedge = true,
            Race = race,
            RealContext = state.Context,
            Primary = state,
            Body = state.Body,
            CanRetry = true,
            DiscardEscalatingStatus = true, // a 5xx from the secondary does not win the race
            Route = state.SecondaryRoute,
            Destinations = state.SecondaryDestinations,
        };
        hedgeContext.Features.Set(hedgeState);
        race.Hedge = hedgeState;
        if (state.Context.Features.Get<ProxyRequestFeature>() is { } feature)
        {
            feature.Attempts = state.Attempts + 1; // current when the winner's response head goes out
        }

        Hedging(_logger, state.Policy.ClusterId, state.Policy.Secondary!, delay.TotalMilliseconds);
        var hedgeTask = AttemptAsync(hedgeState, hedgeCancellation.Token).AsTask();

        var primary = await primaryTask;
        var hedge = await hedgeTask;
        state.Hedge = new HedgeOutcome(hedgeState, hedge, race.HedgeWon);
        if (race.HedgeWon && primary.Failure == OriginFailureKind.ClientAborted && !cancellationToken.IsCancellationRequested)
        {
            // Cancelled because it lost: silent for longer than the hedge delay plus the secondary's answer.
            primary = primary with { Failure = OriginFailureKind.ResponseHeaderTimeout };
        }

        return primary;
    }

    /// <summary>A copy of the client's request on its own context, so the hedge never touches the client's response unless it wins.</summary>
    private static DefaultHttpContext CreateHedgeContext(HttpContext real, CancellationToken aborted)
    {
        var hedge = new DefaultHttpContext();
        var from = real.Request;
        var to = hedge.Request;
        to.Method = from.Method;
        to.Scheme = from.Scheme;
        to.Host = from.Host;
        to.PathBase = from.PathBase;
        to.Path = from.Path;
        to.QueryString = from.QueryString;
        to.Protocol = from.Protocol;
        foreach (var (name, value) in from.Headers)
        {
            to.Headers[name] = value;
        }

        to.Body = Stream.Null;
        hedge.Connection.RemoteIpAddress = real.Connection.RemoteIpAddress;
        hedge.Connection.RemotePort = real.Connection.RemotePort;
        hedge.Connection.LocalIpAddress = real.Connection.LocalIpAddress;
        hedge.Connection.LocalPort = real.Connection.LocalPort;
        hedge.RequestAborted = aborted;
        if (real.Features.Get<IReverseProxyFeature>() is { } proxy)
        {
            // Its own, so OriginForwarder records the secondary destination there (copied over if the hedge wins).
            hedge.Features.Set<IReverseProxyFeature>(new ReverseProxyFeature
            {
                Route = proxy.Route,
                Cluster = proxy.Cluster,
                AllDestinations = proxy.AllDestinations,
                AvailableDestinations = proxy.AvailableDestinations,
            });
        }

        return hedge;
    }

    [LoggerMessage(EventId = 4005, Level = LogLevel.Debug, Message = "Hedging a request of cluster {ClusterId} to {Secondary}: no response headers after {DelayMs} ms")]
    private static partial void Hedging(ILogger logger, string clusterId, string secondary, double delayMs);
}
