using System.Globalization;
using EdgeProxy.Observability;
using EdgeProxy.Origins;
using Yarp.ReverseProxy.Model;

namespace EdgeProxy.Escalation;

/// <summary>
/// One escalating request's state, set as a feature on its <see cref="HttpContext"/> (the client's or a
/// detached fill's) while <see cref="EscalatingOriginClient"/> runs, so <see cref="EscalationTransformer"/>
/// can see it when response headers arrive.
/// </summary>
internal sealed class EscalationState
{
    public EscalationState(HttpContext context, EscalationPolicy policy, CancellationTokenSource deadline)
    {
        Context = context;
        Policy = policy;
        Deadline = deadline;
    }

    public HttpContext Context { get; }

    public EscalationPolicy Policy { get; }

    /// <summary>The overall deadline's timer; disarmed once response headers are accepted.</summary>
    public CancellationTokenSource Deadline { get; }

    /// <summary>The request body, buffered so it can be sent again (null: no body, or not replayable).</summary>
    public byte[]? Body { get; set; }

    /// <summary>Whether the request may be sent to the secondary after an attempt (method and body allow it).</summary>
    public bool CanRetry { get; set; }

    /// <summary>For the current attempt: discard an escalating status instead of passing it to the client.</summary>
    public bool DiscardEscalatingStatus { get; set; }

    /// <summary>The current attempt's response status (null: no headers came).</summary>
    public int? Status { get; private set; }

    /// <summary>The current attempt's response was discarded because its status escalates.</summary>
    public bool Discarded { get; private set; }

    /// <summary>The hedging race this attempt takes part in, if any.</summary>
    public HedgeRace? Race { get; set; }

    /// <summary>This is the hedge's state (on its detached context), racing the primary on <see cref="RealContext"/>.</summary>
    public bool IsHedge { get; init; }

    /// <summary>For the hedge: the client's context it answers on if it wins.</summary>
    public HttpContext? RealContext { get; init; }

    /// <summary>For the hedge: the primary's state (on <see cref="RealContext"/>).</summary>
    public EscalationState? Primary { get; init; }

    /// <summary>For the primary: how the hedge went, once it ran.</summary>
    public HedgeOutcome? Hedge { get; set; }

    // The attempt in flight, for the breaker's static callback.
    public RouteModel? Route { get; set; }

    public IReadOnlyList<DestinationState>? Destinations { get; set; }

    // Where a hedge goes.
    public RouteModel? SecondaryRoute { get; set; }

    public IReadOnlyList<DestinationState>? SecondaryDestinations { get; set; }

    /// <summary>Origin attempts made so far (a request skipped by an open circuit is not one).</summary>
    public int Attempts { get; private set; }

    public void BeginAttempt()
    {
        Attempts++;
        Status = null;
        Discarded = false;
    }

    /// <summary>The earlier attempts' outcomes, once the request went to the secondary (for the detail written at its response head).</summary>
    public string? EarlierAttempts { get; set; }

    /// <summary>The destination of the attempt in flight, as far as known ("-" before one is chosen among several).</summary>
    public string DestinationAddress =>
        Context.Features.Get<IReverseProxyFeature>()?.ProxiedDestination?.Model.Config.Address
        ?? (Destinations is [var only] ? only.Model.Config.Address : "-");

    /// <summary>Response headers arrived; true when they are to be discarded (the request escalates).</summary>
    public bool OnResponseHeaders(int status)
    {
        Status = status;
        if (DiscardEscalatingStatus && Policy.Statuses.Contains(status))
        {
            Discarded = true;
            return true;
        }

        if (EarlierAttempts is not null && Context.Features.Get<ProxyRequestFeature>() is { } feature)
        {
            // The secondary's head: a cache fill reads the detail now, before the request ends.
            feature.Detail = string.Concat(EarlierAttempts, "; secondary ", DestinationAddress, " ", status.ToString(CultureInfo.InvariantCulture));
        }

        try
        {
            Deadline.CancelAfter(Timeout.InfiniteTimeSpan); // the body is the body idle timeout's business
        }
        catch (ObjectDisposedException)
        {
        }

        return false;
    }
}
