using System.Runtime.CompilerServices;
using EdgeProxy.Observability;
using EdgeProxy.Origins;
using Microsoft.AspNetCore.Http.Features;
using Polly;
using Polly.CircuitBreaker;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace EdgeProxy.Escalation;

/// <summary>
/// Decorates the direct <see cref="IOriginClient"/>: for a cluster with a secondary, sends to the primary
/// destination through its circuit breaker and, when the attempt fails before any response byte went
/// out (a trigger: refused, connect timeout, silent origin, reset before headers, an escalating status)
/// or the circuit is open, sends the request to the secondary cluster instead — all within the
/// cluster's overall deadline. Every caller (the client's request, a cache fill on a detached context)
/// gets the same behaviour, so a collapsed fill escalates once for all its waiters.
/// </summary>
internal sealed partial class EscalatingOriginClient : IOriginClient
{
    private readonly DirectOriginClient _inner;
    private readonly EscalationSettings _settings;
    private readonly CircuitBreakers _breakers;
    private readonly IProxyStateLookup _lookup;
    private readonly EscalationMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<EscalatingOriginClient> _logger;
    private readonly ConditionalWeakTable<RouteModel, EscalationRoutes> _routes = new();

    public EscalatingOriginClient(DirectOriginClient inner, EscalationSettings settings, CircuitBreakers breakers, IProxyStateLookup lookup, EscalationMetrics metrics, TimeProvider time, ILogger<EscalatingOriginClient> logger)
    {
        _inner = inner;
        _settings = settings;
        _breakers = breakers;
        _lookup = lookup;
        _metrics = metrics;
        _time = time;
        _logger = logger;
    }

    public ValueTask<OriginAttempt> SendAsync(HttpContext context, RouteModel route, IReadOnlyList<DestinationState> destinations, CancellationToken cancellationToken)
    {
        if (route.Cluster is not { } cluster)
        {
            return _inner.SendAsync(context, route, destinations, cancellationToken);
        }

        var policy = _settings.For(cluster.ClusterId);
        if (policy.Secondary is null)
        {
            return _inner.SendAsync(context, route, destinations, cancellationToken);
        }

        if (!_lookup.TryGetCluster(policy.Secondary, out var secondary))
        {
            SecondaryMissing(_logger, cluster.ClusterId, policy.Secondary);
            return _inner.SendAsync(context, route, destinations, cancellationToken);
        }

        return SendCoreAsync(context, route, cluster, secondary, destinations, policy, cancellationToken);
    }

    private async ValueTask<OriginAttempt> SendCoreAsync(HttpContext context, RouteModel route, ClusterState primary, ClusterState secondary, IReadOnlyList<DestinationState> destinations, EscalationPolicy policy, CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(policy.Deadline, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var state = new EscalationState(context, policy, deadline);
        var routes = RoutesFor(route, secondary);
        var previousState = context.Features.Get<EscalationState>();
        var originalBody = context.Request.Body;
        context.Features.Set(state);
        var trace = new AttemptTrace();
        try
        {
            if (await PrepareReplayAsync(state, linked.Token) is { } bodyFailure)
            {
                return bodyFailure;
            }

            // The primary, through its destination's breaker.
            string? reason = null;
            OriginAttempt attempt = default;
            var destination = PickDestination(policy, destinations);
            if (destination is null)
            {
                reason = "no-destination";
                trace.Add("primary", null, "no-destination");
            }
            else
            {
                state.Route = routes.Primary;
                state.Destinations = destinations.Count == 1 ? destinations : [destination];
                state.SecondaryRoute = routes.Secondary;
                state.SecondaryDestinations = secondary.DestinationsState.AvailableDestinations;
                state.DiscardEscalatingStatus = state.CanRetry;
                var breaker = _breakers.For(policy, destination.Model.Config.Address);
                if (breaker is null)
                {
                    attempt = await PrimaryAttemptAsync(state, linked.Token);
                }
                else
                {
                    var resilience = ResilienceContextPool.Shared.Get(linked.Token);
                    try
                    {
                        var outcome = await breaker.Pipeline.ExecuteOutcomeAsync(
                            static async (rc, s) => Outcome.FromResult(await s.Self.PrimaryAttemptAsync(s.State, rc.CancellationToken)),
                            resilience,
                            (Self: this, State: state));
                        if (outcome.Exception is BrokenCircuitException)
                        {
                            reason = "circuit-open";
                            trace.Add("primary", destination.Model.Config.Address, "circuit-open");
                        }
                        else if (outcome.Exception is { } unexpected)
                        {
                            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(unexpected).Throw();
                        }
                        else
                        {
                            attempt = outcome.Result;
                        }
                    }
                    finally
                    {
                        ResilienceContextPool.Shared.Return(resilience);
                    }
                }

                if (reason is null)
                {
                    trace.Add("primary", attempt, state, state.Hedge is { Won: true } ? "lost-to-hedge" : null);
                    if (state.Hedge is { } hedge)
                    {
                        trace.Add("hedge", hedge.Attempt, hedge.State, !hedge.Won && hedge.Attempt.Failure == OriginFailureKind.ClientAborted ? "cancelled" : null);
                        if (hedge.Won)
                        {
                            if (!hedge.Attempt.Succeeded && context.Response.HasStarted)
                            {
                                context.Abort(); // the hedge's body broke off after the client had the headers
                            }

                            _metrics.Escalated(primary.ClusterId, "hedge");
                            return Finish(state, hedge.Attempt, trace, "hedge");
                        }
                    }

                    reason = EscalationReason(attempt, state, cancellationToken);
                    if (reason is null)
                    {
                        return Finish(state, attempt, trace, escalated: null);
                    }

                    if (state.Hedge is { State.Discarded: false } failedHedge)
                    {
                        // The secondary already failed (on the network) while racing: that is the answer.
                        BothFailed(_logger, primary.ClusterId, trace.ToString());
                        return Finish(state, failedHedge.Attempt, trace, reason);
                    }
                }
            }

            // The secondary.
            if (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                var expired = new OriginAttempt(primary.ClusterId, attempt.Destination, ForwarderError.RequestTimedOut, OriginFailureKind.DeadlineExceeded, null);
                return Finish(state, expired, trace, reason);
            }

            _metrics.Escalated(primary.ClusterId, reason);
            Escalating(_logger, primary.ClusterId, secondary.ClusterId, reason);
            ResetForNextAttempt(context);
            AnnounceSecondary(state, reason, trace.ToString());
            state.Route = routes.Secondary;
            state.Destinations = secondary.DestinationsState.AvailableDestinations;
            state.DiscardEscalatingStatus = false;
            var second = await AttemptAsync(state, linked.Token);
            trace.Add("secondary", second, state);

            if (!second.Succeeded && second.Failure != OriginFailureKind.ClientAborted)
            {
                BothFailed(_logger, primary.ClusterId, trace.ToString());
            }

            return Finish(state, second, trace, reason);
        }
        finally
        {
            context.Request.Body = originalBody;
            context.Features.Set(previousState);
        }
    }

    /// <summary>One attempt with the state's route and destinations; the outcome reclassified for escalation.</summary>
    private async ValueTask<OriginAttempt> AttemptAsync(EscalationState state, CancellationToken cancellationToken)
    {
        state.BeginAttempt();
        if (state.Body is { } body)
        {
            state.Context.Request.Body = new MemoryStream(body, writable: false);
        }

        if (!state.IsHedge && state.Context.Features.Get<ProxyRequestFeature>() is { } feature)
        {
            feature.Attempts = state.Attempts + (state.Hedge?.State.Attempts ?? 0); // current when the response head goes out
        }

        var attempt = await _inner.SendAsync(state.Context, state.Route!, state.Destinations!, cancellationToken);
        if (attempt.Failure == OriginFailureKind.ClientAborted && state.Deadline.IsCancellationRequested && !state.Context.RequestAborted.IsCancellationRequested)
        {
            attempt = attempt with { Failure = OriginFailureKind.DeadlineExceeded };
            DeadlineExceeded(_logger, attempt.ClusterId, attempt.Destination ?? "-", state.Policy.Deadline.TotalMilliseconds);
        }
        else if (attempt.Succeeded && state.Status is { } status && state.Policy.Statuses.Contains(status))
        {
            // An escalating status (discarded, or passed through when the request cannot escalate): a failure for the breaker.
            attempt = attempt with { Failure = OriginFailureKind.Status };
        }

        return attempt;
    }
}
