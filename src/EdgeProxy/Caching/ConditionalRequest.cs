using Microsoft.Net.Http.Headers;

namespace EdgeProxy.Caching;

/// <summary>RFC 9110 13.1–13.2 preconditions evaluated against a stored entry (If-None-Match wins over If-Modified-Since).</summary>
internal static class ConditionalRequest
{
    public static bool NotModified(IHeaderDictionary request, CacheEntry entry)
    {
        var ifNoneMatch = request.IfNoneMatch;
        if (ifNoneMatch.Count > 0)
        {
            return entry.ETag is { } etag && AnyWeakMatch(ifNoneMatch.ToString(), etag);
        }

        return entry.LastModifiedDate is { } modified
            && HeaderUtilities.TryParseDate(request.IfModifiedSince.ToString(), out var since)
            && modified <= since;
    }

    /// <summary>Weak comparison (RFC 9110 8.8.3.2) of each entity-tag in the list with <paramref name="etag"/>; "*" matches.</summary>
    public static bool AnyWeakMatch(string list, string etag)
    {
        if (list.Trim() == "*")
        {
            return true;
        }

        var opaque = Opaque(etag);
        foreach (var candidate in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (Opaque(candidate).SequenceEqual(opaque))
            {
                return true;
            }
        }

        return false;
    }

    public static bool IsStrong(string etag) => !etag.StartsWith("W/", StringComparison.Ordinal);

    private static ReadOnlySpan<char> Opaque(string etag) =>
        etag.StartsWith("W/", StringComparison.Ordinal) ? etag.AsSpan(2) : etag.AsSpan();
}
