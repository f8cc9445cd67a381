using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using EdgeProxy.Configuration;

namespace EdgeProxy.Caching;

/// <summary>
/// RFC 9111 in one place: which directives apply (RFC 9213 targeted fields first), whether a response
/// may be stored (section 3), its freshness lifetime (4.2.1, heuristics 4.2.2) and age (4.2.3).
/// Every "not stored" decision returns a short reason that ends up in Cache-Status detail and a log event.
/// </summary>
internal sealed partial class CachePolicy
{
    private readonly IOptionsMonitor<EdgeProxyOptions> _options;

    public CachePolicy(IOptionsMonitor<EdgeProxyOptions> options) => _options = options;

    public CachingOptions Options => _options.CurrentValue.Caching;

    public CacheRouteOptions? Route(string? routeId) =>
        routeId is not null && Options.Routes.TryGetValue(routeId, out var route) ? route : null;

    /// <summary>The directives this cache obeys: CDN-Cache-Control, then Surrogate-Control (when on), then Cache-Control.</summary>
    public CacheControl ResponseDirectives(IHeaderDictionary headers)
    {
        var options = Options;
        if (options.CdnCacheControl && headers.TryGetValue("CDN-Cache-Control", out var cdn) && cdn.Count > 0
            && CacheControl.ParseStructured(cdn) is { } targeted)
        {
            return targeted;
        }

        if (options.SurrogateControl && headers.TryGetValue("Surrogate-Control", out var surrogate) && surrogate.Count > 0)
        {
            return CacheControl.Parse(surrogate);
        }

        return CacheControl.Parse(headers.CacheControl);
    }

    /// <summary>RFC 9111 section 3: null when the response may be stored, else why not.</summary>
    public string? NotStorableReason(int status, IHeaderDictionary headers, CacheControl cc, bool requestHasAuthorization, bool requestNoStore, CacheRouteOptions? route)
    {
        if (requestNoStore)
        {
            return "request-no-store";
        }

        if (status is < 200 or 206 or 304 or > 599)
        {
            return "status";
        }

        var understood = IsUnderstood(status);
        if (cc.MustUnderstand && !understood)
        {
            return "must-understand";
        }

        if (cc.NoStore && !(cc.MustUnderstand && understood))
        {
            return "no-store";
        }

        if (cc.Private)
        {
            return "private";
        }

        if (requestHasAuthorization && !cc.Public && cc.SharedMaxAge is null && !cc.MustRevalidate)
        {
            return "authorization";
        }

        if (headers.ContainsKey(HeaderNames.SetCookie) && !(route?.StripSetCookie ?? Options.StripSetCookie))
        {
            return "set-cookie";
        }

        if (VaryKey.IsStar(VaryKey.Names(headers.Vary)))
        {
            return "vary-star";
        }

        var explicitFreshness = cc.MaxAge is not null || cc.SharedMaxAge is not null || headers.ContainsKey(HeaderNames.Expires);
        if (!explicitFreshness && !cc.Public && !IsHeuristicallyCacheable(status))
        {
            return "no-freshness";
        }

        if (headers.ContentLength is { } length && length > Options.MaxObjectSizeBytes)
        {
            return "too-large";
        }

        return null;
    }

    /// <summary>Statuses whose semantics this cache knows (RFC 9110 section 15).</summary>
    public static bool IsUnderstood(int status) => status is 200 or 203 or 204 or 300 or 301 or 302 or 303 or 307 or 308
        or 400 or 401 or 403 or 404 or 405 or 406 or 408 or 409 or 410 or 411 or 412 or 413 or 414 or 415 or 416 or 417 or 421 or 422 or 426
        or 500 or 501 or 502 or 503 or 504 or 505;

    /// <summary>RFC 9110 15.1: statuses cacheable by default.</summary>
    public static bool IsHeuristicallyCacheable(int status) => status is 200 or 203 or 204 or 206 or 300 or 301 or 308 or 404 or 405 or 410 or 414 or 501;

    /// <summary>RFC 9111 4.2.1 (s-maxage, max-age, Expires - Date; an invalid Expires is already expired) and 4.2.2 heuristics.</summary>
    public long FreshnessLifetime(int status, IHeaderDictionary headers, CacheControl cc, long responseTime)
    {
        if (cc.SharedMaxAge is { } shared)
        {
            return shared.Ticks;
        }

        if (cc.MaxAge is { } maxAge)
        {
            return maxAge.Ticks;
        }

        var date = DateValue(headers) ?? responseTime;
        if (headers.TryGetValue(HeaderNames.Expires, out var expires))
        {
            if (expires.Count != 1 || !HttpDate.TryParse(expires.ToString(), out var expiresAt))
            {
                return 0;
            }

            return Math.Max(0, expiresAt - date);
        }

        if ((IsHeuristicallyCacheable(status) || cc.Public) && headers.TryGetValue(HeaderNames.LastModified, out var lm)
            && HttpDate.TryParse(lm.ToString(), out var lastModified))
        {
            var options = Options;
            var heuristic = (long)((date - lastModified) * options.HeuristicFraction);
            return Math.Clamp(heuristic, 0, options.HeuristicMaxAge.Ticks);
        }

        return 0;
    }

    /// <summary>RFC 9111 4.2.3: corrected_initial_age = max(apparent_age, age_value + response_delay).</summary>
    public static long CorrectedInitialAge(IHeaderDictionary headers, long requestTime, long responseTime)
    {
        var apparentAge = DateValue(headers) is { } date ? Math.Max(0, responseTime - date) : 0;
        var ageValue = headers.TryGetValue(HeaderNames.Age, out var age) && age.Count > 0 ? AgeValue(age[0]) : 0;
        var responseDelay = Math.Max(0, responseTime - requestTime);
        return Math.Max(apparentAge, ageValue + responseDelay);
    }

    private static long AgeValue(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            return 0;
        }

        // A list on one line ("7200, 0"): the first member counts, as with several Age lines (age[0]).
        var comma = raw.IndexOf(',', StringComparison.Ordinal);
        var trimmed = (comma < 0 ? raw : raw[..comma]).Trim();
        foreach (var c in trimmed)
        {
            if (c is < '0' or > '9')
            {
                return 0;
            }
        }

        return CacheControl.Delta(trimmed).Ticks;
    }

    private static long? DateValue(IHeaderDictionary headers) =>
        headers.TryGetValue(HeaderNames.Date, out var date) && HttpDate.TryParse(date.ToString(), out var value) ? value : null;

    public static StringValues Get(KeyValuePair<string, StringValues>[] headers, string name)
    {
        foreach (var (key, value) in headers)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        return StringValues.Empty;
    }
}
