namespace EdgeProxy.Caching;

/// <summary>A snapshot of the cache store for operators.</summary>
public sealed record CacheStatistics(long Entries, long Bytes, long CapacityBytes, long Evictions, long Hits, long Misses);
