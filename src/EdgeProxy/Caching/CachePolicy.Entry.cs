using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace EdgeProxy.Caching;

internal sealed partial class CachePolicy
{
    private const int EntryOverhead = 256;
    private const int HeaderOverhead = 48;

    /// <summary>Headers as a fill's readers get them: Set-Cookie stripped when the route says so, Surrogate-Control consumed when honoured.</summary>
    public KeyValuePair<string, StringValues>[] ClientHeaders(IHeaderDictionary headers, CacheRouteOptions? route)
    {
        var stripCookie = route?.StripSetCookie ?? Options.StripSetCookie;
        var surrogate = Options.SurrogateControl;
        var result = new List<KeyValuePair<string, StringValues>>(headers.Count);
        foreach (var header in headers)
        {
            if ((stripCookie && header.Key.Equals(HeaderNames.SetCookie, StringComparison.OrdinalIgnoreCase))
                || (surrogate && header.Key.Equals("Surrogate-Control", StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            result.Add(header);
        }

        return [.. result];
    }

    /// <summary>The stored copy of the headers (RFC 9111 3.1): no Age, hop-by-hop fields, or fields a qualified private/no-cache names.</summary>
    public static KeyValuePair<string, StringValues>[] StoredHeaders(KeyValuePair<string, StringValues>[] headers, CacheControl cc, long bodyLength, int status)
    {
        var result = new List<KeyValuePair<string, StringValues>>(headers.Length + 1);
        var hasLength = false;
        foreach (var header in headers)
        {
            var name = header.Key;
            if (name.Equals(HeaderNames.Age, StringComparison.OrdinalIgnoreCase) || IsHopByHop(name)
                || Named(cc.PrivateFields, name) || Named(cc.NoCacheFields, name))
            {
                continue;
            }

            hasLength |= name.Equals(HeaderNames.ContentLength, StringComparison.OrdinalIgnoreCase);
            result.Add(header);
        }

        if (!hasLength && status is not (204 or 304))
        {
            result.Add(new(HeaderNames.ContentLength, bodyLength.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        return [.. result];
    }

    public CacheEntry CreateEntry(string url, int status, KeyValuePair<string, StringValues>[] headers, CacheControl cc, ReadOnlyMemory<byte> body,
        string[] varyNames, string varyKey, long freshnessLifetime, long correctedInitialAge, long responseTime, CacheRouteOptions? route)
    {
        var stored = StoredHeaders(headers, cc, body.Length, status);
        long headerBytes = 0;
        foreach (var (name, values) in stored)
        {
            headerBytes += HeaderOverhead + (name.Length * 2);
            foreach (var value in values)
            {
                headerBytes += (value?.Length ?? 0) * 2;
            }
        }

        var etag = Get(stored, HeaderNames.ETag);
        var lastModified = Get(stored, HeaderNames.LastModified);
        return new CacheEntry
        {
            Url = url,
            StatusCode = status,
            Headers = stored,
            Body = body,
            ResponseTime = responseTime,
            CorrectedInitialAge = correctedInitialAge,
            FreshnessLifetime = freshnessLifetime,
            NoCache = cc.NoCache,
            MustRevalidate = cc.MustRevalidate || cc.ProxyRevalidate || cc.SharedMaxAge is not null,
            StaleWhileRevalidate = cc.StaleWhileRevalidate?.Ticks ?? 0,
            StaleIfError = cc.StaleIfError?.Ticks ?? route?.DefaultGrace?.Ticks ?? 0,
            ETag = etag.Count > 0 ? etag.ToString() : null,
            LastModified = lastModified.Count > 0 ? lastModified.ToString() : null,
            LastModifiedDate = lastModified.Count > 0 && HeaderUtilities.TryParseDate(lastModified.ToString(), out var lm) ? lm : null,
            VaryNames = varyNames,
            VaryKey = varyKey,
            Tags = Tags(stored),
            Size = EntryOverhead + body.Length + headerBytes + (url.Length * 2) + (varyKey.Length * 2),
        };
    }

    /// <summary>RFC 9111 4.3.4: a 304 replaces the stored header fields it carries (not Content-Length) and restarts the clock.</summary>
    public CacheEntry Refresh(CacheEntry stale, IHeaderDictionary notModified, long requestTime, long responseTime, TimeSpan? ttlCap, CacheRouteOptions? route)
    {
        var merged = new HeaderDictionary();
        foreach (var (name, value) in stale.Headers)
        {
            merged[name] = value;
        }

        foreach (var (name, value) in notModified)
        {
            if (!name.Equals(HeaderNames.ContentLength, StringComparison.OrdinalIgnoreCase) && !IsHopByHop(name))
            {
                merged[name] = value;
            }
        }

        var cc = ResponseDirectives(merged);
        var lifetime = FreshnessLifetime(stale.StatusCode, merged, cc, responseTime);
        if (ttlCap is { } cap)
        {
            lifetime = Math.Min(lifetime, cap.Ticks);
        }

        var age = CorrectedInitialAge(notModified, requestTime, responseTime);
        var headers = new KeyValuePair<string, StringValues>[merged.Count];
        var i = 0;
        foreach (var header in merged)
        {
            headers[i++] = header;
        }

        return CreateEntry(stale.Url, stale.StatusCode, headers, cc, stale.Body, stale.VaryNames, stale.VaryKey, lifetime, age, responseTime, route);
    }

    private string[] Tags(KeyValuePair<string, StringValues>[] headers)
    {
        List<string>? tags = null;
        foreach (var name in Options.TagHeaders)
        {
            foreach (var value in Get(headers, name))
            {
                if (value is null)
                {
                    continue;
                }

                foreach (var tag in value.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    (tags ??= []).Add(tag);
                }
            }
        }

        return tags is null ? [] : [.. tags];
    }

    private static bool Named(string[]? fields, string name) =>
        fields is not null && Array.FindIndex(fields, f => f.Equals(name, StringComparison.OrdinalIgnoreCase)) >= 0;

    internal static bool IsHopByHop(string name) =>
        name.Equals(HeaderNames.Connection, StringComparison.OrdinalIgnoreCase)
        || name.Equals(HeaderNames.KeepAlive, StringComparison.OrdinalIgnoreCase)
        || name.Equals(HeaderNames.TransferEncoding, StringComparison.OrdinalIgnoreCase)
        || name.Equals(HeaderNames.Upgrade, StringComparison.OrdinalIgnoreCase)
        || name.Equals(HeaderNames.TE, StringComparison.OrdinalIgnoreCase)
        || name.Equals(HeaderNames.Trailer, StringComparison.OrdinalIgnoreCase)
        || name.Equals(HeaderNames.ProxyAuthenticate, StringComparison.OrdinalIgnoreCase)
        || name.Equals("Proxy-Connection", StringComparison.OrdinalIgnoreCase);
}
