using System.Diagnostics;
using Microsoft.AspNetCore.Http.Features;

namespace EdgeProxy.Observability;

/// <summary>
/// Outermost middleware of the proxy listener: sets the <see cref="ProxyRequestFeature"/> every
/// layer writes to, counts body bytes, and queues one access-log entry when the request ends.
/// </summary>
internal sealed class AccessLogMiddleware
{
    private readonly RequestDelegate _next;
    private readonly AccessLogWriter _writer;
    private readonly EdgeProxyMetrics? _metrics;

    public AccessLogMiddleware(RequestDelegate next, AccessLogWriter writer, IServiceProvider services)
    {
        _next = next;
        _writer = writer;
        _metrics = services.GetService<EdgeProxyMetrics>();
    }

    public async Task InvokeAsync(HttpContext context)
    {
        var start = Stopwatch.GetTimestamp();
        var feature = new ProxyRequestFeature();
        context.Features.Set(feature);
        var originalBody = context.Features.GetRequiredFeature<IHttpResponseBodyFeature>();
        context.Features.Set<IHttpResponseBodyFeature>(new CountingResponseBodyFeature(originalBody, feature, start));
        var status = 500;
        try
        {
            await _next(context);
            status = context.Response.StatusCode;
        }
        finally
        {
            context.Features.Set(originalBody);
            if (context.RequestAborted.IsCancellationRequested && feature.Failure == Origins.OriginFailureKind.None)
            {
                feature.Detail ??= "client aborted";
            }

            var finalStatus = context.Response.HasStarted ? context.Response.StatusCode : status;
            var elapsed = Stopwatch.GetElapsedTime(start);
            _metrics?.RequestCompleted(feature, finalStatus, elapsed);
            if (_writer.Enabled)
            {
                _writer.Write(new AccessLogEntry(
                    DateTimeOffset.UtcNow,
                    context.Connection.RemoteIpAddress,
                    context.Request.Method,
                    context.Request.PathBase,
                    context.Request.Path,
                    context.Request.QueryString,
                    finalStatus,
                    feature.BytesSent,
                    elapsed.TotalMilliseconds,
                    feature.Origin ?? "-",
                    feature.CacheResult,
                    feature.Failure,
                    feature.Detail,
                    feature.CacheStatus,
                    feature.CollapsedRole,
                    feature.EscalationReason,
                    feature.Attempts,
                    feature.TimeToFirstByteMs ?? elapsed.TotalMilliseconds));
            }
        }
    }
}
