using System.Collections.Concurrent;
using EdgeProxy.Caching;

namespace EdgeProxy.FunctionalTests.Infrastructure;

/// <summary>An <see cref="ICachePurger"/> that records what it was asked and answers fixed counts.</summary>
internal sealed class FakeCachePurger : ICachePurger
{
    public ConcurrentQueue<(string Kind, string Target)> Calls { get; } = new();

    public CacheStatistics Statistics { get; set; } = new(Entries: 12, Bytes: 3000, CapacityBytes: 12000, Evictions: 2, Hits: 30, Misses: 10);

    public int PurgeUrl(string absoluteUrl)
    {
        Calls.Enqueue(("url", absoluteUrl));
        return 2;
    }

    public int PurgePrefix(string absoluteUrlPrefix)
    {
        Calls.Enqueue(("prefix", absoluteUrlPrefix));
        return 5;
    }

    public int PurgeTag(string tag)
    {
        Calls.Enqueue(("tag", tag));
        return 7;
    }

    public CacheStatistics GetStatistics() => Statistics;
}
