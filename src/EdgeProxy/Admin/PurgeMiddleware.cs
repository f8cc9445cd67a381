using System.Text;
using EdgeProxy.Caching;
using EdgeProxy.Configuration;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.Extensions.Options;

namespace EdgeProxy.Admin;

/// <summary>
/// The <c>PURGE</c> method on the proxy listener (the Varnish/ATS/Squid habit): <c>PURGE /path</c>
/// removes every stored variant of that URL (scheme, Host, path and query of the request) and answers
/// 200 with the count. Allowed only from <c>EdgeProxy:Admin:PurgeAllowedNetworks</c> (loopback by
/// default), 403 otherwise; 501 when the cache is not enabled. Runs before routing and caching, so a
/// PURGE never reaches an origin.
/// </summary>
internal sealed class PurgeMiddleware
{
    public const string Method = "PURGE";

    private readonly RequestDelegate _next;
    private readonly IOptionsMonitor<EdgeProxyOptions> _options;
    private readonly IServiceProvider _services;
    private readonly ILogger<PurgeMiddleware> _logger;
    private Tuple<List<string>, ClientNetworks>? _networks;

    public PurgeMiddleware(RequestDelegate next, IOptionsMonitor<EdgeProxyOptions> options, IServiceProvider services, ILogger<PurgeMiddleware> logger)
    {
        _next = next;
        _options = options;
        _services = services;
        _logger = logger;
    }

    public Task InvokeAsync(HttpContext context)
    {
        if (!string.Equals(context.Request.Method, Method, StringComparison.OrdinalIgnoreCase))
        {
            return _next(context);
        }

        return PurgeAsync(context);
    }

    private Task PurgeAsync(HttpContext context)
    {
        var url = context.Request.GetEncodedUrl();
        var client = context.Connection.RemoteIpAddress;
        var clientText = client?.ToString() ?? "-";
        if (!Networks().Contains(client))
        {
            AdminLog.PurgeForbidden(_logger, url, clientText);
            return WriteAsync(context, StatusCodes.Status403Forbidden, "403 Forbidden: PURGE is not allowed from this address\n");
        }

        if (_services.GetService<ICachePurger>() is not { } purger)
        {
            AdminLog.CacheNotEnabled(_logger, "url", url);
            return WriteAsync(context, StatusCodes.Status501NotImplemented, "501 Not Implemented: cache not enabled\n");
        }

        var count = purger.PurgeUrl(url);
        AdminLog.Purged(_logger, "url", url, clientText, count);
        return WriteAsync(context, StatusCodes.Status200OK, $"{{\"url\":{System.Text.Json.JsonSerializer.Serialize(url)},\"purged\":{count}}}\n", "application/json; charset=utf-8");
    }

    /// <summary>The allowed networks, re-parsed only when the options instance changed (hot reload).</summary>
    private ClientNetworks Networks()
    {
        var configured = _options.CurrentValue.Admin.PurgeAllowedNetworks;
        var cached = _networks;
        if (cached is null || !ReferenceEquals(cached.Item1, configured))
        {
            cached = Tuple.Create(configured, ClientNetworks.Parse(configured));
            _networks = cached;
        }

        return cached.Item2;
    }

    private static Task WriteAsync(HttpContext context, int status, string body, string contentType = "text/plain; charset=utf-8")
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        context.Response.Headers.CacheControl = "no-store";
        context.Response.ContentLength = bytes.Length;
        return context.Response.Body.WriteAsync(bytes, context.RequestAborted).AsTask();
    }
}
