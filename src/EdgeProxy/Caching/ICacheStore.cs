namespace EdgeProxy.Caching;

/// <summary>Where stored responses live: in memory today, another tier could sit behind this later.</summary>
internal interface ICacheStore
{
    /// <summary>The variants stored for a URL key, without allocating for the key.</summary>
    CacheVariants? Get(ReadOnlySpan<char> key);

    /// <summary>Stores <paramref name="entry"/> as a variant of its URL; false when refused (too big for the store).</summary>
    bool Set(CacheEntry entry);

    /// <summary>Removes one variant if it is still the stored one.</summary>
    void Remove(CacheEntry entry);

    /// <summary>Removes every variant of <paramref name="key"/>; the number of entries removed.</summary>
    int RemoveUrl(string key);

    int RemovePrefix(string keyPrefix);

    int RemoveTag(string tag);

    CacheStatistics Statistics { get; }
}
