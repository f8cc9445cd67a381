namespace EdgeProxy.Caching;

/// <summary>The store's purge and statistics operations for the admin endpoints.</summary>
internal sealed class CachePurger : ICachePurger
{
    private readonly ICacheStore _store;
    private readonly CacheMetrics _metrics;

    public CachePurger(ICacheStore store, CacheMetrics metrics)
    {
        _store = store;
        _metrics = metrics;
    }

    public int PurgeUrl(string absoluteUrl) => _store.RemoveUrl(CacheKey.FromAbsoluteUrl(absoluteUrl));

    public int PurgePrefix(string absoluteUrlPrefix) => _store.RemovePrefix(CacheKey.FromAbsoluteUrl(absoluteUrlPrefix));

    public int PurgeTag(string tag) => _store.RemoveTag(tag);

    public CacheStatistics GetStatistics() => _store.Statistics with { Hits = _metrics.Hits, Misses = _metrics.Misses };
}
