namespace EdgeProxy.Caching;

/// <summary>Everything stored for one URL key: one entry per Vary variant (one when the response does not vary).</summary>
internal sealed class CacheVariants
{
    public CacheVariants(CacheEntry[] entries)
    {
        Entries = entries;
        long size = 0;
        foreach (var entry in entries)
        {
            size += entry.Size;
        }

        Size = size;
    }

    public CacheEntry[] Entries { get; }

    public long Size { get; }

    /// <summary>The variant list with <paramref name="entry"/> added or replacing the one with the same Vary values.</summary>
    public static CacheVariants With(CacheVariants? current, CacheEntry entry, int maxVariants)
    {
        if (current is null || entry.VaryNames.Length == 0 || !SameNames(current.Entries[0].VaryNames, entry.VaryNames))
        {
            return new CacheVariants([entry]);
        }

        var list = new List<CacheEntry>(current.Entries.Length + 1) { entry };
        foreach (var existing in current.Entries)
        {
            if (existing.VaryKey != entry.VaryKey && list.Count < maxVariants)
            {
                list.Add(existing);
            }
        }

        return new CacheVariants([.. list]);
    }

    /// <summary>The variant list without the entry whose Vary values are <paramref name="varyKey"/>; null when none is left.</summary>
    public CacheVariants? Without(CacheEntry entry)
    {
        var list = new List<CacheEntry>(Entries.Length);
        foreach (var existing in Entries)
        {
            if (!ReferenceEquals(existing, entry))
            {
                list.Add(existing);
            }
        }

        return list.Count == 0 ? null : new CacheVariants([.. list]);
    }

    private static bool SameNames(string[] a, string[] b)
    {
        if (a.Length != b.Length)
        {
            return false;
        }

        for (var i = 0; i < a.Length; i++)
        {
            if (!string.Equals(a[i], b[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}
