namespace EdgeProxy.Caching;

/// <summary>Per-route cache settings (<c>EdgeProxy:Caching:Routes:{routeId}</c>); unset values follow <see cref="CachingOptions"/>.</summary>
public sealed class CacheRouteOptions
{
    public bool? Enabled { get; set; }

    /// <summary>Leave the whole query string out of the cache key.</summary>
    public bool IgnoreQuery { get; set; }

    /// <summary>Sort query parameters by name so their order does not split the cache.</summary>
    public bool SortQuery { get; set; }

    /// <summary>Query parameters left out of the key (e.g. utm_source).</summary>
    public List<string> IgnoredQueryParameters { get; set; } = [];

    /// <summary>Stale-if-error grace when the origin gives none.</summary>
    public TimeSpan? DefaultGrace { get; set; }

    public bool? StripSetCookie { get; set; }
}
