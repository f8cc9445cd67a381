using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;
using EdgeProxy.Caching;
using EdgeProxy.Observability;
using EdgeProxy.Origins;
using Yarp.ReverseProxy.Model;

namespace EdgeProxy.Collapsing;

internal sealed partial class FillRunner
{
    /// <summary>
    /// A body that broke mid-way can be finished with <c>Range: bytes=N-</c> guarded by <c>If-Range</c> on its
    /// strong ETag (the representation must not have changed), once, through the same origin client.
    /// </summary>
    private static bool CanResume(Fill fill, FillHead head) =>
        head is { Kind: FillHeadKind.Response, StatusCode: StatusCodes.Status200OK, ContentLength: { } length }
        && fill.Length > 0 && fill.Length < length
        && !fill.Token.IsCancellationRequested
        && CachePolicy.Get(head.Headers, HeaderNames.ETag).ToString() is { Length: > 0 } etag && ConditionalRequest.IsStrong(etag);

    private async Task<OriginAttempt> ResumeAsync(Fill fill, HttpContext broken, FillHead head, RouteModel route, IReadOnlyList<DestinationState> destinations)
    {
        var from = fill.Length;
        var etag = CachePolicy.Get(head.Headers, HeaderNames.ETag).ToString();
        FillResumed(_logger, fill.Url, from);
        using var feature = new FillResponseFeature(fill, from, etag);
        var context = CreateResumeContext(broken, feature, from, etag);
        try
        {
            return await _origins.SendAsync(context, route, destinations, fill.Token);
        }
        catch (Exception ex)
        {
            return new OriginAttempt(route.Cluster?.ClusterId ?? "-", null, Yarp.ReverseProxy.Forwarder.ForwarderError.Request, OriginFailureKind.BodyReset, ex);
        }
    }

    private DefaultHttpContext CreateResumeContext(HttpContext broken, FillResponseFeature feature, long from, string etag)
    {
        var source = broken.Request;
        var headers = ForwardedHeaders(source);

        headers[HeaderNames.Range] = "bytes=" + from.ToString(System.Globalization.CultureInfo.InvariantCulture) + "-";
        headers[HeaderNames.IfRange] = etag;
        var features = new FeatureCollection();
        features.Set<IHttpRequestFeature>(GetCopy(source, headers));
        features.Set<IHttpResponseFeature>(feature);
        features.Set<IHttpResponseBodyFeature>(feature);
        features.Set<IHttpRequestLifetimeFeature>(feature);
        features.Set(feature);
        features.Set(broken.Features.Get<IHttpConnectionFeature>());
        features.Set(new ProxyRequestFeature());
        var proxy = broken.GetReverseProxyFeature();
        features.Set<IReverseProxyFeature>(new ReverseProxyFeature
        {
            Route = proxy.Route,
            Cluster = proxy.Cluster,
            AllDestinations = proxy.AllDestinations,
            AvailableDestinations = proxy.AvailableDestinations,
        });
        var context = new DefaultHttpContext(features) { RequestServices = _services };
        context.SetEndpoint(broken.GetEndpoint());
        return context;
    }

    [LoggerMessage(EventId = 3103, Level = LogLevel.Information, Message = "Fill of {Url} broke after {Bytes} bytes: resuming with a Range request guarded by If-Range")]
    private static partial void FillResumed(ILogger logger, string url, long bytes);
}
