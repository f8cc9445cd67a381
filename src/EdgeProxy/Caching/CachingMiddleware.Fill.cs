using System.Globalization;
using EdgeProxy.Collapsing;
using EdgeProxy.Observability;
using EdgeProxy.Origins;

namespace EdgeProxy.Caching;

internal sealed partial class CachingMiddleware
{
    /// <summary>A miss (or a stale entry to revalidate): start the key's fill or join the running one, then read it.</summary>
    private async Task MissAsync(HttpContext context, CacheRouteOptions? route, string key, CacheVariants? variants, CacheEntry? validating, CacheEntry? stale, string fwd, CacheControl requestCc)
    {
        var headers = context.Request.Headers;
        var register = !headers.ContainsKey("Authorization");
        var fillKey = variants is null ? key : FillKey(key, variants.Entries[0].VaryNames, headers);
        var fill = _runner.StartOrGet(context, fillKey, key, validating, register, route, noStore: false, relayInterim: true, out var cursor,
            () => FreshInStore(context, route, requestCc) is not null);
        var role = "writer";
        if (cursor is null)
        {
            role = "waiter";
            var joined = fill.TryJoin(out cursor);
            if (joined == JoinResult.Joined)
            {
                CachingLog.Joined(_logger, key, fill.Waiters);
            }

            switch (joined)
            {
                case JoinResult.Full:
                    await WaitLimitAsync(context, key, stale, "waiters", fwd);
                    return;
                case JoinResult.Closed:
                    // The running fill is done or not shareable: a fresh store entry if it left one, else a fill of our own.
                    if (FreshInStore(context, route, requestCc) is var (stored, age))
                    {
                        await ServeHitAsync(context, stored, age, null, "HIT");
                        return;
                    }

                    if (_registry.IsHitForMiss(key))
                    {
                        await PassAsync(context, "PASS", Node + "; fwd=" + fwd + "; detail=hit-for-miss");
                        return;
                    }

                    fill = _runner.StartOrGet(context, fillKey, key, validating, register: false, route, noStore: false, relayInterim: true, out cursor);
                    role = "writer";
                    break;
            }
        }

        string? goAlone;
        try
        {
            goAlone = await ReadFillAsync(context, fill, cursor!, role, stale, fwd, requestCc);
        }
        finally
        {
            fill.Leave(cursor);
        }

        if (goAlone is not null)
        {
            CachingLog.WaiterReleased(_logger, key, goAlone);
            await PassAsync(context, "PASS", Node + "; fwd=" + fwd + "; detail=" + goAlone);
        }
    }

    /// <summary>The stored entry for the request when it may be served fresh now, with its age.</summary>
    private (CacheEntry Entry, long Age)? FreshInStore(HttpContext context, CacheRouteOptions? route, CacheControl requestCc) =>
        Select(Lookup(context.Request, route), context.Request.Headers) is { } stored
        && CachePolicy.Decide(stored, _time.GetUtcNow().UtcTicks, requestCc, PragmaNoCache(context.Request.Headers, requestCc), out var age) == Reuse.Fresh
            ? (stored, age)
            : null;

    /// <summary>Serves one reader of a fill; returns a reason when this request must go to the origin on its own instead.</summary>
    private async Task<string?> ReadFillAsync(HttpContext context, Fill fill, ReaderCursor cursor, string role, CacheEntry? stale, string fwd, CacheControl requestCc)
    {
        var waiter = role == "waiter";
        FillHead head;
        try
        {
            head = waiter
                ? await fill.Head.WaitAsync(_policy.Options.Collapsing.MaxWait, _time, context.RequestAborted)
                : await fill.Head.WaitAsync(context.RequestAborted);
        }
        catch (TimeoutException)
        {
            return await WaitLimitAsync(context, fill.Url, stale, "max-wait", fwd) ? null : "max-wait";
        }
        catch (OperationCanceledException)
        {
            return null; // the client left
        }

        var collapsed = waiter ? "; collapsed" : "";
        var escalated = head.EscalationReason is { } reason ? "; detail=escalated-" + reason : "";
        var now = _time.GetUtcNow().UtcTicks;
        switch (head.Kind)
        {
            case FillHeadKind.Failed:
                if (stale is not null && CachePolicy.MayServeOnError(stale, now, requestCc, disconnected: true, _policy.Options.StaleIfDisconnected.Ticks))
                {
                    await ServeStaleOnErrorAsync(context, stale, now, "origin-" + OriginFailureClassifier.Describe(head.Attempt.Failure));
                    return null;
                }

                await WriteFillFailureAsync(context, head, Node + "; fwd=" + fwd + collapsed + "; detail=origin-" + OriginFailureClassifier.Describe(head.Attempt.Failure), role);
                return null;
            case FillHeadKind.NotModified:
                var entry = head.Entry!;
                var age = entry.CurrentAge(now);
                var status304 = Node + "; fwd=stale; fwd-status=304" + collapsed + "; ttl=" + ((entry.FreshnessLifetime - age) / TimeSpan.TicksPerSecond).ToString(CultureInfo.InvariantCulture) + escalated;
                Record(context, "REVALIDATED", status304, role);
                _metrics.Count(hit: true);
                await WriteEntryAsync(context, entry, (age / TimeSpan.TicksPerSecond).ToString(CultureInfo.InvariantCulture), status304);
                return null;
        }

        if (head.StatusCode >= 500 && stale is not null && CachePolicy.MayServeOnError(stale, now, requestCc, disconnected: false, 0))
        {
            await ServeStaleOnErrorAsync(context, stale, now, "origin-status-" + head.StatusCode.ToString(CultureInfo.InvariantCulture));
            return null;
        }

        if (waiter && !head.Shareable)
        {
            return "not-shareable-" + head.NotStoredReason;
        }

        if (waiter && head.VaryNames.Length > 0 && !VaryKey.Matches(head.VaryNames, head.VaryKey, context.Request.Headers))
        {
            return "vary-mismatch";
        }

        var cacheStatus = Node + "; fwd=" + fwd + "; fwd-status=" + head.StatusCode.ToString(CultureInfo.InvariantCulture) + collapsed
            + (head.Shareable
                ? "; stored; ttl=" + ((head.FreshnessLifetime - head.CorrectedInitialAge) / TimeSpan.TicksPerSecond).ToString(CultureInfo.InvariantCulture) + escalated
                : "; detail=" + head.NotStoredReason);
        Record(context, "MISS", cacheStatus, role);
        _metrics.Count(hit: false);
        if (context.Features.Get<ProxyRequestFeature>() is { } feature)
        {
            feature.Attempts = waiter ? 0 : Math.Max(1, head.Attempts);
            feature.Detail ??= head.Detail;
            feature.EscalationReason ??= head.EscalationReason;
            feature.Origin ??= head.Origin;
            feature.ClusterId ??= head.ClusterId;
        }

        var request = context.Request;
        if (head.Shareable && head.StatusCode == StatusCodes.Status200OK && request.Headers.Range.Count > 0 && HttpMethods.IsGet(request.Method)
            && head.ContentLength is { } total && total > 0)
        {
            // One range of a known length: 206 at once, its bytes as they arrive.
            var view = View(fill.Url, head, default);
            if (RangeWriter.Plan(request.Headers, total, view.ETag, view.LastModifiedDate) is { Count: 1 } one)
            {
                var (start, end) = one[0];
                var partial = context.Response;
                partial.StatusCode = StatusCodes.Status206PartialContent;
                foreach (var header in head.Headers)
                {
                    partial.Headers[header.Key] = header.Value;
                }

                partial.Headers.ContentRange = string.Create(CultureInfo.InvariantCulture, $"bytes {start}-{end}/{total}");
                partial.ContentLength = end - start + 1;
                partial.Headers.Append(CacheStatusHeader, cacheStatus);
                await StreamBodyAsync(context, fill, cursor, start, end + 1);
                return null;
            }
        }

        if (head.Shareable && head.StatusCode == StatusCodes.Status200OK && request.Headers.Range.Count > 0 && HttpMethods.IsGet(request.Method))
        {
            // A range on a miss: the fill fetches the whole object once; the range is cut from it when complete.
            if (await WaitForCompletionAsync(fill, context.RequestAborted) != FillState.Completed)
            {
                context.Abort();
                return null;
            }

            var whole = View(fill.Url, head, fill.Body());
            if (RangeWriter.Plan(request.Headers, whole) is { } ranges)
            {
                await RangeWriter.WriteAsync(context, whole, ranges, "0", cacheStatus);
                return null;
            }
        }

        var response = context.Response;
        response.StatusCode = head.StatusCode;
        foreach (var header in head.Headers)
        {
            response.Headers[header.Key] = header.Value;
        }

        response.Headers.Append(CacheStatusHeader, cacheStatus);
        if (head.Shareable && head.StatusCode == StatusCodes.Status200OK
            && (request.Headers.IfNoneMatch.Count > 0 || request.Headers.IfModifiedSince.Count > 0)
            && ConditionalRequest.NotModified(request.Headers, View(fill.Url, head, default)))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            response.Headers.ContentLength = null;
            return null;
        }

        if (HttpMethods.IsHead(context.Request.Method))
        {
            return null;
        }

        await StreamBodyAsync(context, fill, cursor);
        return null;
    }

    /// <summary>A fill's response seen as an entry (for conditionals and ranges before it is stored).</summary>
    private static CacheEntry View(string url, FillHead head, ReadOnlyMemory<byte> body)
    {
        var lastModified = CachePolicy.Get(head.Headers, "Last-Modified").ToString();
        return new CacheEntry
        {
            Url = url,
            StatusCode = head.StatusCode,
            Headers = CachePolicy.StoredHeaders(head.Headers, head.Directives, body.Length, head.StatusCode),
            Body = body,
            ResponseTime = head.ResponseTime,
            CorrectedInitialAge = head.CorrectedInitialAge,
            FreshnessLifetime = head.FreshnessLifetime,
            ETag = CachePolicy.Get(head.Headers, "ETag").ToString() is { Length: > 0 } etag ? etag : null,
            LastModified = lastModified.Length > 0 ? lastModified : null,
            LastModifiedDate = Microsoft.Net.Http.Headers.HeaderUtilities.TryParseDate(lastModified, out var lm) ? lm : null,
        };
    }

    private Task ServeStaleOnErrorAsync(HttpContext context, CacheEntry stale, long now, string why)
    {
        CachingLog.ServedStale(_logger, stale.Url, why);
        var age = stale.CurrentAge(now);
        return ServeHitAsync(context, stale, age, Node + "; fwd=stale; detail=stale-if-error-" + why, "STALE");
    }

    private async Task WriteFillFailureAsync(HttpContext context, FillHead head, string cacheStatus, string role)
    {
        Record(context, "MISS", cacheStatus, role);
        _metrics.Count(hit: false);
        if (context.Features.Get<ProxyRequestFeature>() is { } feature)
        {
            feature.Failure = head.Attempt.Failure;
            feature.Origin = head.Attempt.Destination;
            feature.ClusterId = head.Attempt.ClusterId;
            feature.EscalationReason ??= head.EscalationReason;
            feature.Detail = head.Detail ?? head.Attempt.Exception?.Message;
            feature.Attempts = Math.Max(feature.Attempts, head.Attempts);
        }

        context.Response.OnStarting(static state =>
        {
            var (ctx, value) = ((HttpContext, string))state;
            ctx.Response.Headers.Append(CacheStatusHeader, value);
            return Task.CompletedTask;
        }, (context, cacheStatus));
        await ForwardingMiddleware.WriteFailureAsync(context, head.Attempt.Failure == OriginFailureKind.ClientAborted ? OriginFailureKind.BodyReset : head.Attempt.Failure, head.Attempt.Exception);
    }

    /// <summary>A waiter hit the waiter cap or the header wait bound: true when handled here (stale or 503), false to go to the origin.</summary>
    private async Task<bool> WaitLimitAsync(HttpContext context, string url, CacheEntry? stale, string bound, string fwd)
    {
        var collapsing = _policy.Options.Collapsing;
        var action = collapsing.WaitLimitAction;
        if (action == WaitLimitAction.Stale && stale is not null)
        {
            _metrics.WaitBound(bound, "stale");
            CachingLog.WaitBound(_logger, url, bound, "stale");
            await ServeHitAsync(context, stale, stale.CurrentAge(_time.GetUtcNow().UtcTicks), Node + "; fwd=stale; detail=wait-" + bound + "-stale", "STALE");
            return true;
        }

        if (action == WaitLimitAction.ServiceUnavailable)
        {
            _metrics.WaitBound(bound, "503");
            CachingLog.WaitBound(_logger, url, bound, "503");
            var status = Node + "; fwd=" + fwd + "; detail=wait-" + bound;
            Record(context, "MISS", status, "waiter");
            var response = context.Response;
            response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            response.Headers.RetryAfter = collapsing.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            response.Headers.CacheControl = "no-store";
            response.Headers[CacheStatusHeader] = status;
            response.ContentLength = 0;
            return true;
        }

        _metrics.WaitBound(bound, "origin");
        CachingLog.WaitBound(_logger, url, bound, "origin");
        if (bound == "waiters")
        {
            await PassAsync(context, "PASS", Node + "; fwd=" + fwd + "; detail=wait-" + bound);
            return true;
        }

        return false;
    }
}
