using Microsoft.AspNetCore.Http.Features;
using EdgeProxy.Observability;
using EdgeProxy.Origins;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace EdgeProxy.Escalation;

/// <summary>
/// The race between a primary attempt (on the client's context) and a hedge to the secondary (on a
/// detached context): the first response headers win, once. When the hedge wins it cancels the primary,
/// waits for it to finish (so it can no longer touch the client's response), clears what the primary
/// left there, and moves the client's response features onto its own context, so YARP streams the
/// hedge's body straight to the client. When the primary wins it cancels the hedge, which never wrote
/// anything the client sees.
/// </summary>
internal sealed class HedgeRace
{
    private const int None = 0;
    private const int PrimaryWon = 1;
    private const int HedgeWonState = 2;
    private int _winner;

    public HedgeRace(CancellationTokenSource primary, CancellationTokenSource hedge)
    {
        PrimaryCancellation = primary;
        HedgeCancellation = hedge;
    }

    public CancellationTokenSource PrimaryCancellation { get; }

    public CancellationTokenSource HedgeCancellation { get; }

    /// <summary>The primary's attempt, which a winning hedge waits for after cancelling it.</summary>
    public Task<OriginAttempt>? PrimaryTask { get; set; }

    /// <summary>The hedge's state, once it started.</summary>
    public EscalationState? Hedge { get; set; }

    public bool HedgeWon => Volatile.Read(ref _winner) == HedgeWonState;

    /// <summary>Claims the win for the hedge or the primary; false when the other side already won.</summary>
    public bool TryWin(bool hedge)
    {
        var me = hedge ? HedgeWonState : PrimaryWon;
        var previous = Interlocked.CompareExchange(ref _winner, me, None);
        return previous == None || previous == me;
    }

    /// <summary>The primary's headers won: the hedge stops (it has written nothing the client sees).</summary>
    public void PrimaryWins(EscalationState primary, int status)
    {
        Cancel(HedgeCancellation);
        if (Hedge is { } hedge && primary.Context.Features.Get<ProxyRequestFeature>() is { } feature)
        {
            feature.Detail = $"primary {primary.DestinationAddress} {status}; hedge {hedge.DestinationAddress} cancelled";
        }
    }


    /// <summary>The hedge's headers won: stop the primary, wait for it, and take over the client's response.</summary>
    public async ValueTask HedgeWinsAsync(EscalationState hedge, int status)
    {
        Cancel(PrimaryCancellation);
        if (PrimaryTask is { } primary)
        {
            try
            {
                await primary;
            }
            catch (Exception)
            {
                // Its outcome is read (and its exceptions observed) by the client's request; here only its end matters.
            }
        }

        var real = hedge.RealContext!;
        if (!real.Response.HasStarted)
        {
            real.Response.Clear();
        }

        real.Features.Set<IForwarderErrorFeature>(null);
        EscalatingOriginClient.AnnounceSecondary(hedge.Primary!, "hedge", null);
        if (real.Features.Get<ProxyRequestFeature>() is { } feature)
        {
            feature.Attempts = hedge.Primary!.Attempts + hedge.Attempts;
            feature.Detail = $"primary {hedge.Primary.DestinationAddress} lost-to-hedge; hedge {hedge.DestinationAddress} {status}";
        }

        if (real.Features.Get<IReverseProxyFeature>() is { } proxy && hedge.Context.Features.Get<IReverseProxyFeature>() is { ProxiedDestination: { } answered })
        {
            proxy.ProxiedDestination = answered; // after the detail above, which names the primary's
        }

        hedge.Context.Features.Set(real.Features.Get<IHttpResponseFeature>());
        hedge.Context.Features.Set(real.Features.Get<IHttpResponseBodyFeature>());
        hedge.Context.Response.StatusCode = status;
    }

    private static void Cancel(CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }
}

/// <summary>How a hedge went: its state (attempts, status) and attempt, and whether it answered the client.</summary>
internal sealed record HedgeOutcome(EscalationState State, OriginAttempt Attempt, bool Won);
