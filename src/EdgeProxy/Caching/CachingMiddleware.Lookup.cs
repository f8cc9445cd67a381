using System.Buffers;
using Microsoft.Net.Http.Headers;
using EdgeProxy.Collapsing;

namespace EdgeProxy.Caching;

internal sealed partial class CachingMiddleware
{
    private Task InvokeCacheableAsync(HttpContext context, CacheRouteOptions? route)
    {
        if (_hitLane.Enabled)
        {
            context.Features.Get<Server.HitLaneInput>()?.Arm(context);
        }

        var headers = context.Request.Headers;
        var requestCc = headers.CacheControl.Count == 0 ? CacheControl.Empty : CacheControl.Parse(headers.CacheControl);
        var pragmaNoCache = PragmaNoCache(headers, requestCc);
        if (requestCc.NoStore)
        {
            CachingLog.NotServed(_logger, context.Request.Path.Value ?? "/", "request-no-store");
            return PassAsync(context, "PASS", Node + "; fwd=request; detail=request-no-store");
        }

        var variants = Lookup(context.Request, route);
        var entry = Select(variants, headers);
        if (entry is not null)
        {
            var now = _time.GetUtcNow().UtcTicks;
            var reuse = CachePolicy.Decide(entry, now, requestCc, pragmaNoCache, out var age);
            switch (reuse)
            {
                case Reuse.Fresh:
                    return ServeHitAsync(context, entry, age, null, "HIT");
                case Reuse.StaleAccepted:
                    return ServeHitAsync(context, entry, age, Node + "; hit; detail=max-stale", "STALE");
                case Reuse.StaleWhileRevalidate:
                    RevalidateInBackground(context, entry, route);
                    return ServeHitAsync(context, entry, age, Node + "; hit; detail=stale-while-revalidate", "STALE");
            }

            CachingLog.NotServed(_logger, entry.Url, entry.NoCache || requestCc.NoCache || pragmaNoCache ? "no-cache" : requestCc.Present ? "request-directives-or-stale" : "stale");
            if (requestCc.OnlyIfCached)
            {
                return OnlyIfCachedAsync(context);
            }

            return MissAsync(context, route, entry.Url, variants, entry.HasValidator ? entry : null, entry, "stale", requestCc);
        }

        if (requestCc.OnlyIfCached)
        {
            return OnlyIfCachedAsync(context);
        }

        var key = variants?.Entries[0].Url ?? CacheKey.Build(context.Request, route);
        var fwd = variants is null ? "uri-miss" : "vary-miss";
        CachingLog.NotServed(_logger, key, fwd);
        if (requestCc.NoCache || pragmaNoCache)
        {
            fwd = "request";
        }

        if (_registry.IsHitForMiss(key))
        {
            CachingLog.NotServed(_logger, key, "hit-for-miss");
            return PassAsync(context, "PASS", Node + "; fwd=" + fwd + "; detail=hit-for-miss");
        }

        return MissAsync(context, route, key, variants, null, null, fwd, requestCc);
    }

    /// <summary><c>Pragma: no-cache</c> counts only when the request has no Cache-Control (RFC 9111 5.4).</summary>
    private static bool PragmaNoCache(IHeaderDictionary headers, CacheControl requestCc) =>
        !requestCc.Present && headers.Pragma.Count > 0 && headers.Pragma.ToString().Contains("no-cache", StringComparison.OrdinalIgnoreCase);

    /// <summary>The stored variants for the request's key; the key is built on the stack when it can be.</summary>
    private CacheVariants? Lookup(HttpRequest request, CacheRouteOptions? route)
    {
        if (!CacheKey.IsPlain(route))
        {
            return _store.Get(CacheKey.Build(request, route));
        }

        var length = CacheKey.Length(request);
        if (length <= CacheKey.StackLimit)
        {
            Span<char> buffer = stackalloc char[length];
            var written = CacheKey.Write(request, buffer);
            return _store.Get(buffer[..written]);
        }

        var rented = ArrayPool<char>.Shared.Rent(length);
        try
        {
            var written = CacheKey.Write(request, rented);
            return _store.Get(rented.AsSpan(0, written));
        }
        finally
        {
            ArrayPool<char>.Shared.Return(rented);
        }
    }

    private static CacheEntry? Select(CacheVariants? variants, IHeaderDictionary requestHeaders)
    {
        if (variants is null)
        {
            return null;
        }

        var entries = variants.Entries;
        if (entries.Length == 1 && entries[0].VaryNames.Length == 0)
        {
            return entries[0];
        }

        var key = VaryKey.Compute(entries[0].VaryNames, requestHeaders);
        foreach (var entry in entries)
        {
            if (string.Equals(entry.VaryKey, key, StringComparison.Ordinal))
            {
                return entry;
            }
        }

        return null;
    }

    /// <summary>RFC 5861: one background revalidation per key (a registered fill; later requests find it running).</summary>
    private void RevalidateInBackground(HttpContext context, CacheEntry entry, CacheRouteOptions? route)
    {
        var key = FillKey(entry.Url, entry.VaryNames, context.Request.Headers);
        if (_registry.TryGet(key, out _))
        {
            return;
        }

        var fill = _runner.StartOrGet(context, key, entry.Url, entry.HasValidator ? entry : null, register: true, route, noStore: false, relayInterim: false, out var started);
        if (started is not null)
        {
            fill.Detach(started);
        }
    }

    private static string FillKey(string url, string[] varyNames, IHeaderDictionary requestHeaders) =>
        varyNames.Length == 0 ? url : url + "\n" + VaryKey.Compute(varyNames, requestHeaders);

    private Task OnlyIfCachedAsync(HttpContext context)
    {
        var status = Node + "; fwd=miss; detail=only-if-cached";
        Record(context, "MISS", status, "-");
        _metrics.Count(hit: false);
        var response = context.Response;
        response.StatusCode = StatusCodes.Status504GatewayTimeout;
        response.Headers[CacheStatusHeader] = status;
        response.Headers.CacheControl = "no-store";
        response.ContentLength = 0;
        return Task.CompletedTask;
    }
}
