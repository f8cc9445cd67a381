using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;
using EdgeProxy.Caching;
using EdgeProxy.Observability;
using Yarp.ReverseProxy.Model;

namespace EdgeProxy.Collapsing;

internal sealed partial class FillRunner
{
    /// <summary>Request headers a fill never forwards: the fill fetches the whole object unconditionally (or with its own validators).</summary>
    private static readonly HashSet<string> NotForwarded = new(StringComparer.OrdinalIgnoreCase)
    {
        HeaderNames.IfNoneMatch, HeaderNames.IfModifiedSince, HeaderNames.IfMatch, HeaderNames.IfUnmodifiedSince, HeaderNames.IfRange,
        HeaderNames.Range, HeaderNames.ContentLength, HeaderNames.TransferEncoding, HeaderNames.Expect, HeaderNames.ContentType,
    };

    /// <summary>The client's request headers a fill may send on (no conditionals, ranges or body framing).</summary>
    private static HeaderDictionary ForwardedHeaders(HttpRequest source)
    {
        var headers = new HeaderDictionary();
        foreach (var (name, value) in source.Headers)
        {
            if (!NotForwarded.Contains(name))
            {
                headers[name] = value;
            }
        }
        return headers;
    }

    /// <summary>A bodiless GET of <paramref name="source"/>'s target carrying <paramref name="headers"/>.</summary>
    private static HttpRequestFeature GetCopy(HttpRequest source, IHeaderDictionary headers) => new HttpRequestFeature
        {
            Method = HttpMethods.Get,
            Scheme = source.Scheme,
            Protocol = "HTTP/1.1",
            PathBase = source.PathBase.Value ?? "",
            Path = source.Path.Value ?? "/",
            QueryString = source.QueryString.Value ?? "",
            RawTarget = source.PathBase.Value + source.Path.Value + source.QueryString.Value,
            Headers = headers,
            Body = Stream.Null,
        };

    /// <summary>
    /// A context of the fill's own: a GET copy of the client's request (headers, no body, no conditionals),
    /// the client's addresses (so X-Forwarded-For names the client that started the fill), the fill's
    /// response feature and cancellation, and fresh proxy/request features escalation writes to.
    /// </summary>
    private DefaultHttpContext CreateDetachedContext(HttpContext client, Fill fill, FillRequest request, out FillResponseFeature responseFeature)
    {
        var source = client.Request;
        var headers = ForwardedHeaders(source);

        if (fill.Validating is { } stale)
        {
            if (stale.ETag is { } etag)
            {
                headers[HeaderNames.IfNoneMatch] = etag;
            }

            if (stale.LastModified is { } lastModified)
            {
                headers[HeaderNames.IfModifiedSince] = lastModified;
            }
        }

        var requestFeature = GetCopy(source, headers);

        var requestTime = _time.GetUtcNow().UtcTicks;
        var proxyRequest = new ProxyRequestFeature();
        FillResponseFeature? created = null;
        var proxyFeature = client.GetReverseProxyFeature();
        var detachedProxy = new ReverseProxyFeature
        {
            Route = proxyFeature.Route,
            Cluster = proxyFeature.Cluster,
            AllDestinations = proxyFeature.AllDestinations,
            AvailableDestinations = proxyFeature.AvailableDestinations,
        };
        created = new FillResponseFeature(fill, (status, responseHeaders) => BuildHead(fill, status, responseHeaders, headers, request, requestTime, proxyRequest) with
        {
            ClusterId = proxyRequest.ClusterId ?? detachedProxy.Cluster?.Config.ClusterId,
            Origin = detachedProxy.ProxiedDestination?.Model.Config.Address,
            Attempts = proxyRequest.Attempts,
            Detail = proxyRequest.Detail,
        });
        var connection = client.Connection;
        var features = new FeatureCollection();
        features.Set<IHttpRequestFeature>(requestFeature);
        features.Set<IHttpResponseFeature>(created);
        features.Set<IHttpResponseBodyFeature>(created);
        features.Set<IHttpRequestLifetimeFeature>(created);
        features.Set<IHttpConnectionFeature>(new HttpConnectionFeature
        {
            ConnectionId = connection.Id,
            RemoteIpAddress = connection.RemoteIpAddress,
            RemotePort = connection.RemotePort,
            LocalIpAddress = connection.LocalIpAddress,
            LocalPort = connection.LocalPort,
        });
        features.Set(proxyRequest);
        features.Set(created);
        features.Set<IReverseProxyFeature>(detachedProxy);
        var context = new DefaultHttpContext(features) { RequestServices = _services };
        context.SetEndpoint(client.GetEndpoint());
        responseFeature = created;
        return context;
    }

    /// <summary>The head every reader gets, decided once: a 304 refreshing the stale entry, or a response and whether it may be shared.</summary>
    private FillHead BuildHead(Fill fill, int status, IHeaderDictionary headers, IHeaderDictionary requestHeaders, FillRequest request, long requestTime, ProxyRequestFeature proxyRequest)
    {
        var responseTime = _time.GetUtcNow().UtcTicks;
        var escalation = proxyRequest.EscalationReason;
        if (fill.Validating is { } stale && status == StatusCodes.Status304NotModified)
        {
            var refreshed = _policy.Refresh(stale, headers, requestTime, responseTime, proxyRequest.CacheTtlCap, request.Route);
            _store.Set(refreshed);
            Revalidated(_logger, fill.Url);
            return new FillHead { Kind = FillHeadKind.NotModified, StatusCode = status, Entry = refreshed, Shareable = true, EscalationReason = escalation };
        }

        var cc = _policy.ResponseDirectives(headers);
        var reason = _policy.NotStorableReason(status, headers, cc, request.HasAuthorization, request.NoStore, request.Route);
        var varyNames = VaryKey.Names(headers.Vary);
        var lifetime = _policy.FreshnessLifetime(status, headers, cc, responseTime);
        if (proxyRequest.CacheTtlCap is { } cap)
        {
            lifetime = Math.Min(lifetime, cap.Ticks);
        }

        var correctedAge = CachePolicy.CorrectedInitialAge(headers, requestTime, responseTime);
        if (reason is null && lifetime <= correctedAge && headers.ETag.Count == 0 && headers.LastModified.Count == 0
            && cc.StaleWhileRevalidate is null && cc.StaleIfError is null && request.Route?.DefaultGrace is null)
        {
            reason = "stale-on-arrival";
        }

        if (reason is null && cc.NoCache && headers.ETag.Count == 0 && headers.LastModified.Count == 0)
        {
            reason = "no-cache-without-validator";
        }

        if (reason is not null)
        {
            NotStored(_logger, fill.Url, reason);
            if (fill.Registered && reason is not ("request-no-store" or "authorization"))
            {
                _registry.MarkHitForMiss(fill.Url, _policy.Options.Collapsing.HitForMissDuration);
            }
        }
        else
        {
            _registry.ClearHitForMiss(fill.Url);
        }

        if (fill.Validating is { } old && reason is null && status < 500)
        {
            _store.Remove(old); // replaced by the new response when it completes; never serve the old one again
        }

        return new FillHead
        {
            Kind = FillHeadKind.Response,
            StatusCode = status,
            Headers = _policy.ClientHeaders(headers, request.Route),
            Shareable = reason is null,
            NotStoredReason = reason,
            VaryNames = varyNames,
            VaryKey = VaryKey.Compute(varyNames, requestHeaders),
            ContentLength = headers.ContentLength,
            Directives = cc,
            RequestTime = requestTime,
            ResponseTime = responseTime,
            FreshnessLifetime = lifetime,
            CorrectedInitialAge = correctedAge,
            EscalationReason = escalation,
        };
    }
}
