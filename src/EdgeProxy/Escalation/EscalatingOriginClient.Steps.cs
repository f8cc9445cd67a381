using EdgeProxy.Observability;
using EdgeProxy.Origins;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace EdgeProxy.Escalation;

/// <summary>The steps of an escalating request: body replay, destination choice, the decision, the record.</summary>
internal sealed partial class EscalatingOriginClient
{
    /// <summary>
    /// Decides whether the request may be sent again after an attempt: its method is one the cluster
    /// escalates, and a body (if any) has a known length within the limit, in which case it is buffered
    /// now. Returns a failed attempt only when the client's body could not be read.
    /// </summary>
    private static async ValueTask<OriginAttempt?> PrepareReplayAsync(EscalationState state, CancellationToken cancellationToken)
    {
        var request = state.Context.Request;
        if (!state.Policy.Methods.Contains(request.Method))
        {
            return null;
        }

        var canHaveBody = state.Context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody
            ?? (request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0);
        if (!canHaveBody)
        {
            state.CanRetry = true;
            return null;
        }

        if (request.ContentLength is not { } length || length > state.Policy.MaxBodySize)
        {
            return null; // streamed to the first origin as usual; not replayable
        }

        var body = new byte[length];
        try
        {
            await request.Body.ReadExactlyAsync(body, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or BadHttpRequestException)
        {
            return new OriginAttempt(state.Policy.ClusterId, null, ForwarderError.RequestBodyClient, OriginFailureKind.ClientAborted, ex);
        }

        state.Body = body;
        state.CanRetry = true;
        return null;
    }

    /// <summary>The destination to try: the only one, or a random one whose circuit is not open (any, if all are).</summary>
    private DestinationState? PickDestination(EscalationPolicy policy, IReadOnlyList<DestinationState> destinations)
    {
        if (destinations.Count <= 1)
        {
            return destinations.Count == 0 ? null : destinations[0];
        }

        var start = Random.Shared.Next(destinations.Count);
        for (var i = 0; i < destinations.Count; i++)
        {
            var candidate = destinations[(start + i) % destinations.Count];
            if (!_breakers.IsOpen(policy, candidate.Model.Config.Address))
            {
                return candidate;
            }
        }

        return destinations[start];
    }

    /// <summary>Why the primary's attempt escalates ("refused", "status-503", ...), or null when it does not.</summary>
    internal static string? EscalationReason(in OriginAttempt attempt, EscalationState state, CancellationToken cancellationToken)
    {
        if (state.Discarded)
        {
            return "status-" + state.Status;
        }

        if (attempt.Succeeded || cancellationToken.IsCancellationRequested || !state.CanRetry || state.Context.Response.HasStarted
            || !state.Policy.FailureTriggers.Contains(attempt.Failure))
        {
            return null;
        }

        return attempt.Failure switch
        {
            OriginFailureKind.ConnectionRefused => EscalationPolicy.Triggers.Refused,
            OriginFailureKind.ConnectTimeout => EscalationPolicy.Triggers.ConnectTimeout,
            OriginFailureKind.ResponseHeaderTimeout => EscalationPolicy.Triggers.HeaderTimeout,
            _ => EscalationPolicy.Triggers.Reset,
        };
    }

    /// <summary>Clears what a failed or discarded attempt left on the response, so the next attempt starts clean.</summary>
    private static void ResetForNextAttempt(HttpContext context)
    {
        if (!context.Response.HasStarted)
        {
            context.Response.Clear();
        }

        context.Features.Set<IForwarderErrorFeature>(null);
    }

    /// <summary>
    /// Tells the layers above, before the secondary's response starts, that it comes from the secondary:
    /// a cache fill reads the reason and the TTL cap when the response head arrives, not after the body.
    /// </summary>
    internal static void AnnounceSecondary(EscalationState state, string reason, string? attemptsSoFar)
    {
        state.EarlierAttempts = attemptsSoFar;
        if (state.Context.Features.Get<ProxyRequestFeature>() is { } feature)
        {
            feature.EscalationReason = reason;
            feature.Detail = attemptsSoFar ?? feature.Detail; // completed with the secondary's outcome at its head and when the request ends
            feature.ClusterId = state.Policy.Secondary;
            feature.CacheTtlCap = state.Policy.SecondaryTtlCap ?? feature.CacheTtlCap;
        }
    }

    /// <summary>Records the request's attempts for the access log and metrics and returns what the caller sees.</summary>
    private OriginAttempt Finish(EscalationState state, OriginAttempt attempt, AttemptTrace trace, string? escalated)
    {
        if (attempt.Succeeded && attempt.Failure == OriginFailureKind.Status)
        {
            attempt = attempt with { Failure = OriginFailureKind.None }; // the origin's status went to the client as is
        }

        var attempts = state.Attempts + (state.Hedge?.State.Attempts ?? 0);
        if (state.Context.Features.Get<ProxyRequestFeature>() is { } feature)
        {
            feature.ClusterId = attempt.ClusterId;
            feature.Origin = attempt.Destination ?? feature.Origin;
            feature.Attempts = attempts;
            if (attempt.Succeeded && state.Policy.SecondaryTtlCap is { } cap && string.Equals(attempt.ClusterId, state.Policy.Secondary, StringComparison.OrdinalIgnoreCase))
            {
                feature.CacheTtlCap = cap; // the secondary answered
            }

            feature.EscalationReason = escalated;
            if (escalated is not null || !attempt.Succeeded || state.Hedge is not null)
            {
                feature.Detail = trace.ToString();
            }
        }

        _metrics.Attempts(state.Policy.ClusterId, attempts);
        return attempt;
    }

    /// <summary>The primary route with the escalation transformer, and the same route aimed at the secondary cluster.</summary>
    private EscalationRoutes RoutesFor(RouteModel route, ClusterState secondary)
    {
        if (_routes.TryGetValue(route, out var routes) && ReferenceEquals(routes.SecondaryCluster, secondary))
        {
            return routes;
        }

        var transformer = new EscalationTransformer(route.Transformer);
        routes = new EscalationRoutes(new RouteModel(route.Config, route.Cluster, transformer), new RouteModel(route.Config, secondary, transformer), secondary);
        _routes.AddOrUpdate(route, routes);
        return routes;
    }

    private sealed record EscalationRoutes(RouteModel Primary, RouteModel Secondary, ClusterState SecondaryCluster);

    /// <summary>
    /// Each attempt's outcome, for the access log's detail field ("primary http://a/ refused; secondary
    /// http://b/ 200"), kept as values and formatted only when the request needs the detail.
    /// </summary>
    private sealed class AttemptTrace
    {
        private readonly List<(string Role, string? Destination, OriginFailureKind Failure, bool Succeeded, int? Status, bool Discarded, string? Note)> _entries = new(3);

        public void Add(string role, string? destination, string note) => _entries.Add((role, destination, OriginFailureKind.None, false, null, false, note));

        public void Add(string role, in OriginAttempt attempt, EscalationState state, string? note = null) =>
            _entries.Add((role, attempt.Destination, attempt.Failure, attempt.Succeeded, state.Status, state.Discarded, note));

        public override string ToString()
        {
            var text = new System.Text.StringBuilder();
            foreach (var e in _entries)
            {
                if (text.Length > 0)
                {
                    text.Append("; ");
                }

                text.Append(e.Role).Append(' ').Append(e.Destination ?? "-").Append(' ');
                if (e.Note is not null)
                {
                    text.Append(e.Note);
                }
                else if (!e.Succeeded || e.Status is null)
                {
                    text.Append(e.Succeeded ? "ok" : OriginFailureClassifier.Describe(e.Failure));
                }
                else
                {
                    text.Append(e.Discarded ? "status-" : string.Empty).Append(e.Status.Value).Append(e.Discarded ? "-discarded" : string.Empty);
                }
            }

            return text.ToString();
        }
    }

    [LoggerMessage(EventId = 4001, Level = LogLevel.Debug, Message = "Escalating a request of cluster {ClusterId} to {Secondary}: {Reason}")]
    private static partial void Escalating(ILogger logger, string clusterId, string secondary, string reason);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "Primary and secondary of cluster {ClusterId} both failed: {Attempts}")]
    private static partial void BothFailed(ILogger logger, string clusterId, string attempts);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Error, Message = "Cluster {ClusterId} escalates to {Secondary}, which YARP does not know; not escalating")]
    private static partial void SecondaryMissing(ILogger logger, string clusterId, string secondary);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Warning, Message = "Request to {Destination} (cluster {ClusterId}) passed the overall deadline of {DeadlineMs} ms")]
    private static partial void DeadlineExceeded(ILogger logger, string clusterId, string destination, double deadlineMs);
}
