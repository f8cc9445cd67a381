using System.Text;

namespace EdgeProxy.Caching;

/// <summary>
/// The method-independent cache key: scheme and host in lower case without the default port, then
/// path and query (per route: query dropped, sorted, or some parameters ignored). Written into a
/// caller's buffer so a hit allocates no key string.
/// </summary>
internal static class CacheKey
{
    public const int StackLimit = 1024;

    /// <summary>Length the key of <paramref name="request"/> needs when the route does not rewrite the query.</summary>
    public static int Length(HttpRequest request) =>
        request.Scheme.Length + 3 + (request.Host.Value?.Length ?? 0) + (request.PathBase.Value?.Length ?? 0) + (request.Path.Value?.Length ?? 0) + (request.QueryString.Value?.Length ?? 0);

    /// <summary>True when the route leaves the query as it came (the allocation-free path applies).</summary>
    public static bool IsPlain(CacheRouteOptions? route) =>
        route is null || (!route.IgnoreQuery && !route.SortQuery && route.IgnoredQueryParameters.Count == 0);

    public static int Write(HttpRequest request, Span<char> destination)
    {
        var position = WriteOrigin(request.Scheme, request.Host.Value ?? "", destination);
        position += Append(request.PathBase.Value, destination[position..]);
        position += Append(request.Path.Value, destination[position..]);
        position += Append(request.QueryString.Value, destination[position..]);
        return position;
    }

    public static string Build(HttpRequest request, CacheRouteOptions? route)
    {
        if (IsPlain(route))
        {
            var length = Length(request);
            return string.Create(length, request, static (span, r) => Write(r, span));
        }

        var origin = new char[request.Scheme.Length + 3 + (request.Host.Value?.Length ?? 0)];
        var n = WriteOrigin(request.Scheme, request.Host.Value ?? "", origin);
        return new string(origin, 0, n) + request.PathBase.Value + request.Path.Value + Query(request.QueryString.Value, route!);
    }

    /// <summary>The key for an absolute URL given by an operator (purge): same normalisation, query as given.</summary>
    public static string FromAbsoluteUrl(string absoluteUrl)
    {
        if (!Uri.TryCreate(absoluteUrl, UriKind.Absolute, out var uri))
        {
            return absoluteUrl;
        }

        var host = uri.IsDefaultPort ? uri.Host : uri.Host + ":" + uri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var origin = new char[uri.Scheme.Length + 3 + host.Length];
        var n = WriteOrigin(uri.Scheme, host, origin);
        return new string(origin, 0, n) + Uri.UnescapeDataString(uri.AbsolutePath) + uri.Query;
    }

    private static int WriteOrigin(string scheme, string host, Span<char> destination)
    {
        var position = 0;
        foreach (var c in scheme)
        {
            destination[position++] = char.ToLowerInvariant(c);
        }

        destination[position++] = ':';
        destination[position++] = '/';
        destination[position++] = '/';
        var hostLength = host.Length;
        if ((scheme.Equals("http", StringComparison.OrdinalIgnoreCase) && host.EndsWith(":80", StringComparison.Ordinal))
            || (scheme.Equals("https", StringComparison.OrdinalIgnoreCase) && host.EndsWith(":443", StringComparison.Ordinal)))
        {
            hostLength = host.LastIndexOf(':');
        }

        for (var i = 0; i < hostLength; i++)
        {
            destination[position++] = char.ToLowerInvariant(host[i]);
        }

        return position;
    }

    private static int Append(string? value, Span<char> destination)
    {
        if (string.IsNullOrEmpty(value))
        {
            return 0;
        }

        value.AsSpan().CopyTo(destination);
        return value.Length;
    }

    private static string Query(string? query, CacheRouteOptions route)
    {
        if (route.IgnoreQuery || string.IsNullOrEmpty(query) || query == "?")
        {
            return "";
        }

        var parts = new List<string>(query[1..].Split('&', StringSplitOptions.RemoveEmptyEntries));
        if (route.IgnoredQueryParameters.Count > 0)
        {
            parts.RemoveAll(p =>
            {
                var eq = p.IndexOf('=', StringComparison.Ordinal);
                var name = Uri.UnescapeDataString(eq < 0 ? p : p[..eq]);
                return route.IgnoredQueryParameters.Contains(name, StringComparer.Ordinal);
            });
        }

        if (route.SortQuery)
        {
            parts.Sort(StringComparer.Ordinal);
        }

        if (parts.Count == 0)
        {
            return "";
        }

        var sb = new StringBuilder(query.Length);
        foreach (var part in parts)
        {
            sb.Append(sb.Length == 0 ? '?' : '&').Append(part);
        }

        return sb.ToString();
    }
}
