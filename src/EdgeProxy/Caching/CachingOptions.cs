using EdgeProxy.Collapsing;

namespace EdgeProxy.Caching;

/// <summary>The shared cache (RFC 9111): the <c>EdgeProxy:Caching</c> section. See docs/configuration.md.</summary>
public sealed class CachingOptions
{
    /// <summary>Caching on for every route unless a route says otherwise.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Bytes all entries may take together (bodies plus a header estimate).</summary>
    public long SizeLimitBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Responses larger than this stream through without being kept.</summary>
    public long MaxObjectSizeBytes { get; set; } = 16L * 1024 * 1024;

    /// <summary>Heuristic freshness: this fraction of the time since Last-Modified (RFC 9111 4.2.2).</summary>
    public double HeuristicFraction { get; set; } = 0.1;

    /// <summary>Upper bound of a heuristic freshness lifetime.</summary>
    public TimeSpan HeuristicMaxAge { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Store responses with Set-Cookie after removing the header (default: such responses are not stored).</summary>
    public bool StripSetCookie { get; set; }

    /// <summary>Honour <c>CDN-Cache-Control</c> (RFC 9213) over <c>Cache-Control</c>.</summary>
    public bool CdnCacheControl { get; set; } = true;

    /// <summary>Honour <c>Surrogate-Control</c> (max-age, no-store) over <c>Cache-Control</c>; removed from the response when on.</summary>
    public bool SurrogateControl { get; set; }

    /// <summary>
    /// RFC 9111 4.2.4: how long past its freshness a stored response may still answer when the origin
    /// cannot be reached at all (refused, timed out, reset), unless the response forbids stale use.
    /// </summary>
    public TimeSpan StaleIfDisconnected { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Response headers whose space/comma separated values tag an entry for purging.</summary>
    public List<string> TagHeaders { get; set; } = ["Surrogate-Key", "Cache-Tag"];

    /// <summary>Most variants (Vary) kept per URL; the oldest is replaced beyond it.</summary>
    public int MaxVariantsPerUrl { get; set; } = 16;

    /// <summary>Per-route settings keyed by YARP route id.</summary>
    public Dictionary<string, CacheRouteOptions> Routes { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Collapsed forwarding (one origin fetch per key).</summary>
    public CollapsingOptions Collapsing { get; set; } = new();
}
