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

    public Task InvokeAsync(HttpContext context)
    {
        var start = Stopwatch.GetTimestamp();
        var feature = new ProxyRequestFeature();
        context.Features.Set(feature);
        var counting = new CountingResponseBodyFeature(context.Features.GetRequiredFeature<IHttpResponseBodyFeature>(), feature, start);
        context.Features.Set<IHttpResponseBodyFeature>(counting);
        Task next;
        try
        {
            next = _next(context);
        }
        catch
        {
            End(context, counting, status: 500);
            throw;
        }

        // A hit completes synchronously: no state machine for it.
        if (next.IsCompletedSuccessfully)
        {
            End(context, counting, context.Response.StatusCode);
            return Task.CompletedTask;
        }

        return EndAfterAsync(context, counting, next);
    }

    private async Task EndAfterAsync(HttpContext context, CountingResponseBodyFeature counting, Task next)
    {
        var status = 500;
        try
        {
            await next;
            status = context.Response.StatusCode;
        }
        finally
        {
            End(context, counting, status);
        }
    }

    /// <summary>The request is over (<paramref name="status"/> is what the application set, 500 when it threw): metrics and the access-log entry.</summary>
    private void End(HttpContext context, CountingResponseBodyFeature counting, int status)
    {
        context.Features.Set(counting.Inner);
        var feature = counting.Request;
        var finalStatus = context.Response.HasStarted ? context.Response.StatusCode : status;
        var elapsed = Stopwatch.GetElapsedTime(counting.StartTimestamp);
        _metrics?.RequestCompleted(feature, finalStatus, elapsed);
        if (_writer.Enabled)
        {
            if (context.RequestAborted.IsCancellationRequested && feature.Failure == Origins.OriginFailureKind.None)
            {
                feature.Detail ??= "client aborted";
            }

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
