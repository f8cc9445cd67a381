using System.Collections.Concurrent;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using EdgeProxy.Configuration;

namespace EdgeProxy.Caching;

/// <summary>
/// The in-memory store on <see cref="MemoryCache"/>, bounded in bytes (<see cref="CachingOptions.SizeLimitBytes"/>).
/// MemoryCache refuses inserts once full and compacts later in the background; this store compacts
/// first (least recently accessed entries go, MemoryCache's own order within a priority) so a full
/// cache keeps admitting new objects. One MemoryCache entry per URL holds all its variants.
/// </summary>
internal sealed partial class MemoryCacheStore : ICacheStore, IDisposable
{
    private const double Headroom = 0.02;

    private readonly MemoryCache _cache;
    private readonly long _limit;
    private readonly int _maxVariants;
    private readonly Lock _compactLock = new();
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, byte>> _tags = new(StringComparer.Ordinal);
    private long _evictions;

    public MemoryCacheStore(IOptions<EdgeProxyOptions> options)
    {
        var caching = options.Value.Caching;
        _limit = Math.Max(1, caching.SizeLimitBytes);
        _maxVariants = Math.Max(1, caching.MaxVariantsPerUrl);
        _cache = new MemoryCache(new MemoryCacheOptions
        {
            SizeLimit = _limit,
            TrackStatistics = true,
            CompactionPercentage = 0.05,
            ExpirationScanFrequency = TimeSpan.FromMinutes(5),
        });
    }

    public long CapacityBytes => _limit;

    public CacheVariants? Get(ReadOnlySpan<char> key) =>
        _cache.TryGetValue(key, out CacheVariants? variants) ? variants : null;

    public bool Set(CacheEntry entry)
    {
        if (entry.Size > _limit)
        {
            return false;
        }

        var current = Get(entry.Url);
        var variants = CacheVariants.With(current, entry, _maxVariants);
        MakeRoom(variants.Size - (current?.Size ?? 0));
        using (var cacheEntry = _cache.CreateEntry(entry.Url))
        {
            cacheEntry.Value = variants;
            cacheEntry.Size = variants.Size;
        }

        foreach (var tag in entry.Tags)
        {
            _tags.GetOrAdd(tag, static _ => new ConcurrentDictionary<string, byte>(StringComparer.Ordinal))[entry.Url] = 0;
        }

        return ReferenceEquals(Get(entry.Url), variants);
    }

    public void Remove(CacheEntry entry)
    {
        var current = Get(entry.Url);
        if (current is null || Array.IndexOf(current.Entries, entry) < 0)
        {
            return;
        }

        if (current.Without(entry) is { } rest)
        {
            using var cacheEntry = _cache.CreateEntry(entry.Url);
            cacheEntry.Value = rest;
            cacheEntry.Size = rest.Size;
        }
        else
        {
            _cache.Remove(entry.Url);
        }
    }

    /// <summary>Compacts least recently used entries until <paramref name="incoming"/> more bytes fit under the limit.</summary>
    private void MakeRoom(long incoming)
    {
        if (incoming <= 0 || CurrentBytes + incoming <= _limit)
        {
            return;
        }

        lock (_compactLock)
        {
            for (var round = 0; round < 4; round++)
            {
                var current = CurrentBytes;
                var excess = current + incoming - (long)(_limit * (1 - Headroom));
                if (excess <= 0 || current == 0)
                {
                    return;
                }

                // MemoryCache.Compact removes a fraction of the entry count, least recently accessed first: at least one entry.
                var count = Math.Max(1, _cache.Count);
                _cache.Compact(Math.Clamp(Math.Max((double)excess / current, 1.5 / count), 0.005, 1.0));
                Interlocked.Add(ref _evictions, Math.Max(0, count - _cache.Count));
            }
        }
    }

    private long CurrentBytes => _cache.GetCurrentStatistics()?.CurrentEstimatedSize ?? 0;

    public void Dispose() => _cache.Dispose();
}
