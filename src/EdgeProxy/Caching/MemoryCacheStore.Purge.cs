namespace EdgeProxy.Caching;

internal sealed partial class MemoryCacheStore
{
    public int RemoveUrl(string key)
    {
        var current = Get(key);
        if (current is null)
        {
            return 0;
        }

        _cache.Remove(key);
        return current.Entries.Length;
    }

    public int RemovePrefix(string keyPrefix)
    {
        var removed = 0;
        foreach (var key in _cache.Keys)
        {
            if (key is string url && url.StartsWith(keyPrefix, StringComparison.Ordinal))
            {
                removed += RemoveUrl(url);
            }
        }

        return removed;
    }

    public int RemoveTag(string tag)
    {
        if (!_tags.TryRemove(tag, out var urls))
        {
            return 0;
        }

        var removed = 0;
        foreach (var url in urls.Keys)
        {
            var current = Get(url);
            if (current is null)
            {
                continue;
            }

            foreach (var entry in current.Entries)
            {
                if (Array.IndexOf(entry.Tags, tag) >= 0)
                {
                    Remove(entry);
                    removed++;
                }
            }
        }

        return removed;
    }

    public CacheStatistics Statistics
    {
        get
        {
            var stats = _cache.GetCurrentStatistics();
            long entries = 0;
            foreach (var key in _cache.Keys)
            {
                if (Get((string)key) is { } variants)
                {
                    entries += variants.Entries.Length;
                }
            }

            return new CacheStatistics(entries, stats?.CurrentEstimatedSize ?? 0, _limit, Interlocked.Read(ref _evictions), 0, 0);
        }
    }

    /// <summary>URL keys stored (one per URL, whatever the number of variants).</summary>
    public long UrlCount => _cache.Count;

    public long Bytes => CurrentBytes;

    public long Evictions => Interlocked.Read(ref _evictions);
}
