using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using EdgeProxy.Collapsing;
using EdgeProxy.Configuration;
using EdgeProxy.Observability;
using EdgeProxy.Origins;
using Yarp.ReverseProxy.Model;

namespace EdgeProxy.Caching;

/// <summary>
/// The shared cache in YARP's proxy pipeline, just before <see cref="ForwardingMiddleware"/>: GET and
/// HEAD are answered from the store when RFC 9111 allows, otherwise through a fill shared by every
/// request for the key (collapsed forwarding, read-while-writer); unsafe methods pass through and
/// invalidate. Every response carries a Cache-Status (RFC 9211) entry of this node.
/// </summary>
internal sealed partial class CachingMiddleware
{
    private const string CacheStatusHeader = "Cache-Status";

    /// <summary>
    /// Most a fill reader hands Kestrel per write. A latecomer may find megabytes already received: written
    /// at once, its head waits behind a copy of all of them and twenty latecomers queue behind each
    /// other's copies; in slices, with a yield between them while a reader is catching up, every reader's
    /// head and first bytes go out before anyone's bulk.
    /// </summary>
    private const int FillWriteSlice = 64 * 1024;

    private readonly RequestDelegate _next;
    private readonly CachePolicy _policy;
    private readonly ICacheStore _store;
    private readonly FillRunner _runner;
    private readonly FillRegistry _registry;
    private readonly CacheMetrics _metrics;
    private readonly HitLane _hitLane;
    private readonly TimeProvider _time;
    private readonly IOptionsMonitor<EdgeProxyOptions> _options;
    private readonly ILogger<CachingMiddleware> _logger;

    public CachingMiddleware(RequestDelegate next, CachePolicy policy, ICacheStore store, FillRunner runner, FillRegistry registry, CacheMetrics metrics,
        HitLane hitLane, TimeProvider time, IOptionsMonitor<EdgeProxyOptions> options, ILogger<CachingMiddleware> logger)
    {
        _next = next;
        _policy = policy;
        _store = store;
        _runner = runner;
        _registry = registry;
        _metrics = metrics;
        _hitLane = hitLane;
        _time = time;
        _options = options;
        _logger = logger;
    }

    private string Node => _options.CurrentValue.NodeName;

    public Task InvokeAsync(HttpContext context)
    {
        var route = context.GetRouteModel();
        var routeOptions = _policy.Route(route.Config.RouteId);
        if (!(routeOptions?.Enabled ?? _policy.Options.Enabled))
        {
            CachingLog.NotServed(_logger, context.Request.Path.Value ?? "/", "bypass");
            return PassAsync(context, "BYPASS", Node + "; fwd=bypass");
        }

        var method = context.Request.Method;
        if (context.Request.Headers.Upgrade.Count > 0 || HttpMethods.IsConnect(method))
        {
            return _next(context); // protocol upgrades (WebSocket) are tunnels, not cacheable exchanges
        }

        if (HttpMethods.IsGet(method) || HttpMethods.IsHead(method))
        {
            return InvokeCacheableAsync(context, routeOptions);
        }

        return UnsafeAsync(context, routeOptions);
    }

    /// <summary>Forwards without the cache (bypass, hit-for-miss, a waiter that may not share), adding Cache-Status when the response starts.</summary>
    private Task PassAsync(HttpContext context, string result, string cacheStatus)
    {
        Record(context, result, cacheStatus, "-");
        _metrics.Count(hit: false);
        context.Response.OnStarting(static state =>
        {
            var (ctx, value) = ((HttpContext, string))state;
            ctx.Response.Headers.Append(CacheStatusHeader, value);
            return Task.CompletedTask;
        }, (context, cacheStatus));
        return _next(context);
    }

    /// <summary>RFC 9111 4.4: a non-error response to an unsafe method invalidates the target URI and same-origin Location / Content-Location.</summary>
    private Task UnsafeAsync(HttpContext context, CacheRouteOptions? route)
    {
        var method = context.Request.Method;
        var safe = HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method) || HttpMethods.IsConnect(method);
        var status = Node + "; fwd=method";
        Record(context, "PASS", status, "-");
        _metrics.Count(hit: false);
        context.Response.OnStarting(static state =>
        {
            var (self, ctx, value, route, invalidate) = ((CachingMiddleware, HttpContext, string, CacheRouteOptions?, bool))state;
            ctx.Response.Headers.Append(CacheStatusHeader, value);
            if (invalidate && ctx.Response.StatusCode is >= 200 and < 400)
            {
                self.Invalidate(ctx, route);
            }

            return Task.CompletedTask;
        }, (this, context, status, route, !safe));
        return _next(context);
    }

    private void Invalidate(HttpContext context, CacheRouteOptions? route)
    {
        var key = CacheKey.Build(context.Request, route);
        var removed = _store.RemoveUrl(key);
        _registry.ClearHitForMiss(key);
        var origin = key[..OriginLength(key)];
        var destination = context.GetReverseProxyFeature().ProxiedDestination?.Model.Config.Address;
        foreach (var name in new[] { HeaderNames.Location, HeaderNames.ContentLocation })
        {
            var value = context.Response.Headers[name].ToString();
            if (value.Length == 0 || !Uri.TryCreate(new Uri(key), value, out var target))
            {
                continue;
            }

            // Same origin as the request; an origin that names itself (its own address) means the same resource here.
            if (destination is not null && Uri.TryCreate(destination, UriKind.Absolute, out var destinationUri)
                && Uri.Compare(target, destinationUri, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0)
            {
                target = new Uri(new Uri(origin), target.PathAndQuery);
            }

            var targetKey = CacheKey.FromAbsoluteUrl(target.AbsoluteUri);
            if (targetKey.StartsWith(origin, StringComparison.Ordinal))
            {
                removed += _store.RemoveUrl(targetKey);
            }
        }

        CachingLog.Invalidated(_logger, key, context.Request.Method, removed);
    }

    private static int OriginLength(string key)
    {
        var slash = key.IndexOf('/', key.IndexOf("//", StringComparison.Ordinal) + 2);
        return slash < 0 ? key.Length : slash;
    }

    private static void Record(HttpContext context, string result, string cacheStatus, string role)
    {
        if (context.Features.Get<ProxyRequestFeature>() is { } feature)
        {
            feature.CacheResult = result;
            feature.CacheStatus = cacheStatus;
            feature.CollapsedRole = role;
            feature.RouteId ??= context.GetRouteModel().Config.RouteId;
        }
    }
}
