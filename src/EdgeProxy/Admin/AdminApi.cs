using System.Text;
using System.Text.Json;
using EdgeProxy.Caching;
using EdgeProxy.Observability.Metrics;

namespace EdgeProxy.Admin;

/// <summary>
/// The admin listener's operator endpoints: <c>/metrics</c>, <c>POST /admin/purge</c> (url, prefix or
/// tag), <c>GET /admin/stats</c>, <c>GET /admin/config</c>, <c>POST /admin/access-log/reopen</c>, <c>GET /admin/dashboard.json</c> and the
/// <c>/dashboard</c> page. Everything but the page wants the API key (<see cref="AdminAuthorization"/>);
/// <c>/metrics</c> too unless <c>Admin:MetricsRequireKey</c> is false.
/// </summary>
internal sealed class AdminApi
{
    private readonly AdminAuthorization _auth;
    private readonly PrometheusExporter _exporter;
    private readonly DashboardSummary _dashboard;
    private readonly IConfiguration _configuration;
    private readonly IServiceProvider _services;
    private readonly ILogger<AdminApi> _logger;

    public AdminApi(AdminAuthorization auth, PrometheusExporter exporter, DashboardSummary dashboard, IConfiguration configuration, IServiceProvider services, ILogger<AdminApi> logger)
    {
        _auth = auth;
        _exporter = exporter;
        _dashboard = dashboard;
        _configuration = configuration;
        _services = services;
        _logger = logger;
    }

    /// <summary>Handles the request if its path is one of the API's; null otherwise.</summary>
    public Task? TryHandle(HttpContext context)
    {
        var path = context.Request.Path.Value;
        var needsKey = path switch
        {
            "/metrics" => _auth.MetricsRequireKey,
            "/dashboard" or "/dashboard/" => false,
            "/admin/purge" or "/admin/stats" or "/admin/config" or "/admin/dashboard.json" or "/admin/access-log/reopen" => true,
            _ => (bool?)null,
        };
        if (needsKey is null)
        {
            return null;
        }

        if (needsKey.Value && !_auth.IsAuthorized(context.Request))
        {
            var client = context.Connection.RemoteIpAddress?.ToString() ?? "-";
            AdminLog.Unauthorized(_logger, context.Request.Method, path!, client);
            context.Response.Headers.WWWAuthenticate = "Bearer realm=\"edgeproxy-admin\"";
            return Text(context, StatusCodes.Status401Unauthorized, "401 Unauthorized: send Authorization: Bearer <EdgeProxy:Admin:ApiKey> or X-Api-Key\n");
        }

        return path switch
        {
            "/metrics" => Get(context, () => Write(context, StatusCodes.Status200OK, PrometheusTextWriter.ContentType, _exporter.Collect())),
            "/dashboard" or "/dashboard/" => Get(context, () => Write(context, StatusCodes.Status200OK, "text/html; charset=utf-8", DashboardPage.Html)),
            "/admin/purge" => HttpMethods.IsPost(context.Request.Method) ? Purge(context) : MethodNotAllowed(context, "POST"),
            "/admin/stats" => Get(context, () => Stats(context)),
            "/admin/access-log/reopen" => HttpMethods.IsPost(context.Request.Method) ? ReopenAccessLog(context) : MethodNotAllowed(context, "POST"),
            "/admin/config" => Get(context, () => Json(context, StatusCodes.Status200OK, w => EffectiveConfiguration.Write(w, _configuration))),
            _ => Get(context, () => Json(context, StatusCodes.Status200OK, w => _dashboard.Write(w))),
        };
    }

    /// <summary>logrotate's postrotate hook: the access-log file is reopened before the next write (as SIGHUP does).</summary>
    private Task ReopenAccessLog(HttpContext context) =>
        _services.GetService<Observability.AccessLogWriter>()?.RequestReopen() == true
            ? Text(context, StatusCodes.Status202Accepted, "202 Accepted: the access log file is reopened before its next write\n")
            : Text(context, StatusCodes.Status409Conflict, "409 Conflict: the access log is not written to a file (EdgeProxy:AccessLog:Path)\n");

    private Task Purge(HttpContext context)
    {
        var query = context.Request.Query;
        var (kind, target) = query.ContainsKey("url") ? ("url", query["url"].ToString())
            : query.ContainsKey("prefix") ? ("prefix", query["prefix"].ToString())
            : query.ContainsKey("tag") ? ("tag", query["tag"].ToString())
            : (null, string.Empty);
        if (kind is null || target.Length == 0)
        {
            return Text(context, StatusCodes.Status400BadRequest, "400 Bad Request: give one of url=, prefix= or tag=\n");
        }

        if (kind != "tag" && !IsAbsoluteHttpUrl(target))
        {
            return Text(context, StatusCodes.Status400BadRequest, $"400 Bad Request: {kind} must be an absolute http(s) URL (scheme://host/path)\n");
        }

        if (_services.GetService<ICachePurger>() is not { } purger)
        {
            AdminLog.CacheNotEnabled(_logger, kind, target);
            return Text(context, StatusCodes.Status501NotImplemented, "501 Not Implemented: cache not enabled\n");
        }

        var count = kind switch
        {
            "url" => purger.PurgeUrl(target),
            "prefix" => purger.PurgePrefix(target),
            _ => purger.PurgeTag(target),
        };
        var client = context.Connection.RemoteIpAddress?.ToString() ?? "-";
        AdminLog.Purged(_logger, kind, target, client, count);
        return Json(context, StatusCodes.Status200OK, w =>
        {
            w.WriteStartObject();
            w.WriteString(kind, target);
            w.WriteNumber("purged", count);
            w.WriteEndObject();
        });
    }

    private Task Stats(HttpContext context)
    {
        if (_services.GetService<ICachePurger>() is not { } purger)
        {
            return Text(context, StatusCodes.Status501NotImplemented, "501 Not Implemented: cache not enabled\n");
        }

        var stats = purger.GetStatistics();
        return Json(context, StatusCodes.Status200OK, w => WriteStatistics(w, stats));
    }

    internal static void WriteStatistics(Utf8JsonWriter w, CacheStatistics stats)
    {
        w.WriteStartObject();
        w.WriteNumber("entries", stats.Entries);
        w.WriteNumber("bytes", stats.Bytes);
        w.WriteNumber("capacityBytes", stats.CapacityBytes);
        w.WriteNumber("fill", stats.CapacityBytes > 0 ? (double)stats.Bytes / stats.CapacityBytes : 0);
        w.WriteNumber("evictions", stats.Evictions);
        w.WriteNumber("hits", stats.Hits);
        w.WriteNumber("misses", stats.Misses);
        w.WriteNumber("hitRatio", stats.Hits + stats.Misses > 0 ? (double)stats.Hits / (stats.Hits + stats.Misses) : 0);
        w.WriteEndObject();
    }

    internal static bool IsAbsoluteHttpUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    private static Task Get(HttpContext context, Func<Task> handler) =>
        HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method) ? handler() : MethodNotAllowed(context, "GET, HEAD");

    private static Task MethodNotAllowed(HttpContext context, string allow)
    {
        context.Response.Headers.Allow = allow;
        return Text(context, StatusCodes.Status405MethodNotAllowed, "405 Method Not Allowed\n");
    }

    private static Task Text(HttpContext context, int status, string body) => Write(context, status, "text/plain; charset=utf-8", body);

    private static Task Json(HttpContext context, int status, Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            write(writer);
        }

        return Write(context, status, "application/json; charset=utf-8", buffer.ToArray());
    }

    private static Task Write(HttpContext context, int status, string contentType, string body) =>
        Write(context, status, contentType, Encoding.UTF8.GetBytes(body));

    private static Task Write(HttpContext context, int status, string contentType, byte[] body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        context.Response.ContentLength = body.Length;
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : context.Response.Body.WriteAsync(body).AsTask();
    }
}
