namespace EdgeProxy.Caching;
public sealed record CacheStatistics(long Entries, long Bytes, long CapacityBytes, long Evictions, long Hits, long Misses);
