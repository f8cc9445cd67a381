using EdgeProxy.Caching;
using EdgeProxy.Observability;
using EdgeProxy.Origins;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace EdgeProxy.Collapsing;

/// <summary>
/// Starts fills and runs them: the origin request goes through <see cref="IOriginClient"/> (so
/// escalation applies once for the whole fill) on a detached context owned by the fill, with the
/// fill's own cancellation. Decides at the head what may be shared and stored, and stores the
/// completed object.
/// </summary>
internal sealed partial class FillRunner
{
    private readonly IOriginClient _origins;
    private readonly CachePolicy _policy;
    private readonly ICacheStore _store;
    private readonly FillRegistry _registry;
    private readonly IServiceProvider _services;
    private readonly TimeProvider _time;
    private readonly CacheMetrics _metrics;
    private readonly ILogger<FillRunner> _logger;
    private readonly InterimRelays _interim;

    public FillRunner(IOriginClient origins, CachePolicy policy, ICacheStore store, FillRegistry registry, IServiceProvider services, TimeProvider time, CacheMetrics metrics,
        ILogger<FillRunner> logger, InterimRelays interim)
    {
        _interim = interim;
        _origins = origins;
        _policy = policy;
        _store = store;
        _registry = registry;
        _services = services;
        _time = time;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>
    /// Starts a fill for <paramref name="client"/>'s request, or joins the one already running for the key
    /// (then <paramref name="started"/> is null and the caller is a waiter; it must call TryJoin, which says Closed when
    /// <paramref name="storedMeanwhile"/> found the key stored after the caller's own lookup). The starter's
    /// cursor is returned in <paramref name="started"/>; the caller ends its reading with <c>Leave(cursor)</c>.
    /// </summary>
    public Fill StartOrGet(HttpContext client, string key, string url, CacheEntry? validating, bool register, CacheRouteOptions? route, bool noStore, bool relayInterim, out ReaderCursor? started,
        Func<bool>? storedMeanwhile = null)
    {
        var options = _policy.Options;
        var fill = new Fill(key, url, validating, register, options.Collapsing, options.MaxObjectSizeBytes);
        if (register)
        {
            var existing = fill.Register(_registry, storedMeanwhile, out var stored);
            if (!ReferenceEquals(existing, fill) || stored)
            {
                // Another fill holds the key (join it), or ours came too late and is closed (its TryJoin says so).
                started = null;
                return existing;
            }
        }

        started = fill.Start();
        _metrics.FillStarted();
        var request = new FillRequest(route, client.Request.Headers.ContainsKey("Authorization"), noStore);
        var detached = CreateDetachedContext(client, fill, request, out var feature);

        // The origin's 1xx reach only the client that started the fill (waiters get the final response), and only
        // until that client's response starts or its request ends, however long the fill runs.
        var interim = relayInterim ? _interim.TryCreate(client) : null;
        _ = RunAsync(fill, detached, feature, client.GetRouteModel(), client.GetReverseProxyFeature().AvailableDestinations, request, interim);
        return fill;
    }

    private async Task RunAsync(Fill fill, HttpContext detached, FillResponseFeature feature, RouteModel route, IReadOnlyList<DestinationState> destinations, FillRequest request,
        InterimRelay? interim)
    {
        InterimSink.Current = interim;
        OriginAttempt attempt;
        try
        {
            attempt = await _origins.SendAsync(detached, route, destinations, fill.Token);
        }
        catch (Exception ex)
        {
            FillCrashed(_logger, fill.Url, ex);
            attempt = new OriginAttempt(route.Cluster?.ClusterId ?? "-", null, ForwarderError.Request, OriginFailureKind.BodyReset, ex);
        }

        try
        {
            await FinishAsync(fill, detached, feature, request, attempt, route, destinations);
        }
        catch (Exception ex)
        {
            FillCrashed(_logger, fill.Url, ex);
            fill.PublishHead(new FillHead { Kind = FillHeadKind.Failed, Attempt = attempt with { Error = ForwarderError.Request, Failure = OriginFailureKind.BodyReset } });
            _registry.Remove(fill);
            fill.Finish(FillState.Failed);
        }
        finally
        {
            _registry.Remove(fill);
            _metrics.FillEnded(fill.Waiters);
            feature.Dispose();
            fill.Dispose();
        }
    }

    private async Task FinishAsync(Fill fill, HttpContext detached, FillResponseFeature feature, FillRequest request, OriginAttempt attempt,
        RouteModel route, IReadOnlyList<DestinationState> destinations)
    {
        if (!attempt.Succeeded && fill.Head.IsCompletedSuccessfully && _policy.Options.Collapsing.ResumeBrokenBodies && CanResume(fill, fill.Head.Result))
        {
            var resumed = await ResumeAsync(fill, detached, fill.Head.Result, route, destinations);
            attempt = resumed.Succeeded ? resumed : attempt;
        }

        if (!attempt.Succeeded)
        {
            if (!fill.Head.IsCompleted)
            {
                var proxyRequest = detached.Features.Get<ProxyRequestFeature>();
                fill.PublishHead(new FillHead { Kind = FillHeadKind.Failed, Attempt = attempt, EscalationReason = proxyRequest?.EscalationReason, Attempts = proxyRequest?.Attempts ?? 1, Detail = proxyRequest?.Detail });
            }
            else
            {
                FillBroken(_logger, fill.Url, fill.Length, OriginFailureClassifier.Describe(attempt.Failure));
            }

            fill.Close();
            _registry.Remove(fill);
            fill.Finish(FillState.Failed);
            return;
        }

        if (!feature.HasStarted)
        {
            await feature.StartAsync(); // no body came: the head is published now
        }

        var head = await fill.Head;
        if (head.Kind != FillHeadKind.Response)
        {
            _registry.Remove(fill);
            fill.Finish(FillState.Completed);
            return;
        }

        if (head.ContentLength is { } expected && expected != fill.Length)
        {
            FillBroken(_logger, fill.Url, fill.Length, "length mismatch");
            fill.Close();
            _registry.Remove(fill);
            fill.Finish(FillState.Failed);
            return;
        }

        if (head.Shareable && !fill.Oversize)
        {
            // Copying the body into one buffer and compacting a full store take time in proportion to their size: off the
            // socket's I/O thread (where EdgeProxy:Transport:InlineScheduling may have run this fill), onto the thread pool.
            await Task.Yield();
            var entry = _policy.CreateEntry(fill.Url, head.StatusCode, head.Headers, head.Directives, fill.Body(), head.VaryNames, head.VaryKey,
                head.FreshnessLifetime, head.CorrectedInitialAge, head.ResponseTime, request.Route);
            if (_store.Set(entry))
            {
                Stored(_logger, fill.Url, head.StatusCode, entry.Size);
            }
            else
            {
                NotStored(_logger, fill.Url, "store-refused");
            }
        }
        else if (fill.Oversize)
        {
            NotStored(_logger, fill.Url, "too-large");
        }

        fill.Close();
        _registry.Remove(fill);
        fill.Finish(FillState.Completed);
    }

    /// <summary>What the starter's request contributes to the store decision.</summary>
    private sealed record FillRequest(CacheRouteOptions? Route, bool HasAuthorization, bool NoStore);
}
