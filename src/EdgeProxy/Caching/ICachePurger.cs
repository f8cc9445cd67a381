namespace EdgeProxy.Caching;

/// <summary>Operations on the cache for the admin endpoints: purge by URL (all variants), URL prefix or tag, and statistics.</summary>
internal interface ICachePurger
{
    int PurgeUrl(string absoluteUrl);

    int PurgePrefix(string absoluteUrlPrefix);

    int PurgeTag(string tag);

    CacheStatistics GetStatistics();
}
