namespace EdgeProxy.Caching;
/// <summary>What the admin API and PURGE may do to the cache.</summary>
internal interface ICachePurger { int PurgeUrl(string absoluteUrl); int PurgePrefix(string absoluteUrlPrefix); int PurgeTag(string tag); CacheStatistics GetStatistics(); }
