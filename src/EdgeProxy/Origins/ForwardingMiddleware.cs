using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using EdgeProxy.Observability;
using Yarp.ReverseProxy.Model;

namespace EdgeProxy.Origins;

/// <summary>
/// The terminal step of EdgeProxy's YARP proxy pipeline (it replaces YARP's own forwarder step):
/// forwards to the route's cluster and turns a failure before the response started into 502/504
/// with a short body, recording the outcome for the access log. The origin's interim (1xx) responses are
/// relayed to the client through an <see cref="InterimRelay"/> where the client may be sent them.
/// </summary>
internal sealed class ForwardingMiddleware
{
    private readonly IOriginClient _origins;
    private readonly InterimRelays _interim;

    public ForwardingMiddleware(RequestDelegate next, IOriginClient origins, InterimRelays interim)
    {
        _ = next; // terminal: YARP's ForwarderMiddleware after us never runs
        _origins = origins;
        _interim = interim;
    }

    public async Task InvokeAsync(HttpContext context)
    {
        var proxy = context.GetReverseProxyFeature();
        var route = context.GetRouteModel();
        InterimSink.Current = _interim.TryCreate(context); // the origin's 1xx go to this client (this flow only)
        var attempt = await _origins.SendAsync(context, route, proxy.AvailableDestinations, context.RequestAborted);
        Record(context, route, attempt);
        if (!attempt.Succeeded)
        {
            await WriteFailureAsync(context, attempt.Failure, attempt.Exception);
        }
    }

    internal static void Record(HttpContext context, RouteModel route, in OriginAttempt attempt)
    {
        if (context.Features.Get<ProxyRequestFeature>() is { } feature)
        {
            feature.RouteId = route.Config.RouteId;
            feature.ClusterId = attempt.ClusterId;
            feature.Origin = attempt.Destination;
            feature.Failure = attempt.Failure;
            feature.Attempts = Math.Max(feature.Attempts, 1);
            if (!attempt.Succeeded)
            {
                feature.Detail ??= attempt.Exception?.Message; // escalation may already have written each attempt's outcome
            }
        }
    }

    /// <summary>
    /// 502 for an unreachable origin, 504 for a timeout, Kestrel's status for a request body it rejected, with a short text
    /// body; nothing if the response already started.
    /// </summary>
    internal static async Task WriteFailureAsync(HttpContext context, OriginFailureKind failure, Exception? exception)
    {
        if (context.Response.HasStarted || failure == OriginFailureKind.ClientAborted)
        {
            return;
        }

        var status = OriginFailureClassifier.StatusFor(failure, exception);
        context.Response.Clear();
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        var what = failure == OriginFailureKind.RequestRejected ? "request body rejected" : "origin " + OriginFailureClassifier.Describe(failure);
        var body = Encoding.UTF8.GetBytes($"{status} {ReasonPhrases.GetReasonPhrase(status)}: {what}\n");
        context.Response.ContentLength = body.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await context.Response.Body.WriteAsync(body, context.RequestAborted);
        }
    }
}
