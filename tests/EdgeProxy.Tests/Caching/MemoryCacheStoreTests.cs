using EdgeProxy.Caching;
using EdgeProxy.Configuration;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace EdgeProxy.Tests.Caching;

public sealed class MemoryCacheStoreTests(ITestOutputHelper output)
{
    private static readonly byte[] Shared = new byte[64 * 1024];

    private static MemoryCacheStore Store(long limit)
    {
        var options = new EdgeProxyOptions();
        options.Caching.SizeLimitBytes = limit;
        return new MemoryCacheStore(Options.Create(options));
    }

    private static CacheEntry Entry(string url, int bodyBytes, string varyKey = "") => new()
    {
        VaryNames = varyKey.Length == 0 ? [] : ["foo"],
        VaryKey = varyKey,
        Url = url,
        StatusCode = 200,
        Headers = [],
        Body = Shared.AsMemory(0, bodyBytes),
        ResponseTime = 0,
        CorrectedInitialAge = 0,
        FreshnessLifetime = TimeSpan.TicksPerHour,
        Size = bodyBytes + 256,
    };

    [Fact]
    public void Set_WhenFull_KeepsAdmittingNewObjects()
    {
        using var store = Store(1024 * 1024);
        for (var i = 0; i < 200; i++)
        {
            Assert.True(store.Set(Entry($"http://a/{i}", 50_000)), $"insert {i} refused");
            Assert.NotNull(store.Get($"http://a/{i}"));
        }

        Assert.True(store.Bytes <= 1024 * 1024, $"{store.Bytes} bytes stored");
        Assert.True(store.Evictions > 0);
    }

    [Fact]
    public void Set_WhenFull_EvictsLeastRecentlyUsedFirst()
    {
        using var store = Store(10 * 10_256);
        for (var i = 0; i < 10; i++)
        {
            store.Set(Entry($"http://a/{i}", 10_000));
        }

        for (var round = 0; round < 3; round++)
        {
            Assert.NotNull(store.Get("http://a/0")); // keep 0 recently used
            store.Set(Entry($"http://a/new{round}", 10_000));
        }

        Assert.NotNull(store.Get("http://a/0"));
        Assert.Null(store.Get("http://a/1"));
    }

    [Fact]
    public void Set_LargerThanTheWholeStore_Refused()
    {
        using var store = Store(1000);
        Assert.False(store.Set(Entry("http://a/big", 5000)));
    }

    [Fact]
    public void RemoveUrl_RemovesEveryVariant()
    {
        using var store = Store(1024 * 1024);
        store.Set(Entry("http://a/v", 10, "foo:1\n"));
        store.Set(Entry("http://a/v", 10, "foo:2\n"));
        Assert.Equal(2, store.Get("http://a/v")!.Entries.Length);
        Assert.Equal(2, store.RemoveUrl("http://a/v"));
        Assert.Null(store.Get("http://a/v"));
    }

    /// <summary>
    /// Zipf-like popularity (s = 0.9) over 20,000 objects of 1–16 KiB, total 5x the store: the hit ratio
    /// of this store (MemoryCache + compaction before insert) against an exact LRU of the same size.
    /// </summary>
    [Fact]
    public void ZipfWorkload_HitRatioCloseToExactLru()
    {
        const int objects = 20_000;
        const int requests = 300_000;
        var random = new Random(42);
        var sizes = new int[objects];
        long total = 0;
        for (var i = 0; i < objects; i++)
        {
            sizes[i] = 1024 + random.Next(15 * 1024);
            total += sizes[i] + 256;
        }

        var limit = total / 5;
        var sampler = new ZipfSampler(objects, 0.9, new Random(7));
        var keys = new string[objects];
        for (var i = 0; i < objects; i++)
        {
            keys[i] = "http://zipf/" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        using var store = Store(limit);
        var lru = new ExactLru(limit);
        int storeHits = 0, lruHits = 0;
        long maxBytes = 0;
        for (var r = 0; r < requests; r++)
        {
            var k = sampler.Next();
            if (store.Get(keys[k]) is not null)
            {
                storeHits++;
            }
            else
            {
                store.Set(Entry(keys[k], sizes[k]));
            }

            if (lru.Touch(k, sizes[k] + 256))
            {
                lruHits++;
            }

            maxBytes = Math.Max(maxBytes, store.Bytes);
        }

        var storeRatio = (double)storeHits / requests;
        var lruRatio = (double)lruHits / requests;
        output.WriteLine($"objects {objects}, total {total:N0} B, limit {limit:N0} B, requests {requests}");
        output.WriteLine($"hit ratio: store {storeRatio:P1}, exact LRU {lruRatio:P1}; max bytes {maxBytes:N0} ({(double)maxBytes / limit:P1} of limit); evictions {store.Evictions}");
        Assert.True(storeRatio >= lruRatio * 0.9, $"store {storeRatio:P1} vs LRU {lruRatio:P1}");
        Assert.True(maxBytes <= limit, $"max {maxBytes} > limit {limit}");
    }

    [Fact]
    public void Overhead_PerEntryBeyondChargedSize()
    {
        using var store = Store(1L << 30);
        const int n = 20_000;
        var keys = new string[n];
        for (var i = 0; i < n; i++)
        {
            keys[i] = "http://overhead/" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var entries = new CacheEntry[n];
        for (var i = 0; i < n; i++)
        {
            entries[i] = Entry(keys[i], 0);
        }

        var before = GC.GetTotalMemory(forceFullCollection: true);
        for (var i = 0; i < n; i++)
        {
            store.Set(entries[i]);
        }

        var after = GC.GetTotalMemory(forceFullCollection: true);
        var perEntry = (after - before) / (double)n;
        output.WriteLine($"store structures per entry (MemoryCache entry, variants, tag index): {perEntry:N0} B; charged header estimate per entry: 256 B + headers");
        Assert.True(perEntry < 1024, $"{perEntry} bytes per entry");
        GC.KeepAlive(entries);
    }

    private sealed class ZipfSampler
    {
        private readonly double[] _cumulative;
        private readonly Random _random;

        public ZipfSampler(int n, double s, Random random)
        {
            _random = random;
            _cumulative = new double[n];
            double sum = 0;
            for (var i = 0; i < n; i++)
            {
                sum += 1.0 / Math.Pow(i + 1, s);
                _cumulative[i] = sum;
            }

            for (var i = 0; i < n; i++)
            {
                _cumulative[i] /= sum;
            }
        }

        public int Next()
        {
            var index = Array.BinarySearch(_cumulative, _random.NextDouble());
            return index < 0 ? Math.Min(~index, _cumulative.Length - 1) : index;
        }
    }

    private sealed class ExactLru(long limit)
    {
        private readonly LinkedList<(int Key, int Size)> _order = new();
        private readonly Dictionary<int, LinkedListNode<(int Key, int Size)>> _nodes = [];
        private long _bytes;

        public bool Touch(int key, int size)
        {
            if (_nodes.TryGetValue(key, out var node))
            {
                _order.Remove(node);
                _order.AddFirst(node);
                return true;
            }

            while (_bytes + size > limit && _order.Last is { } last)
            {
                _order.RemoveLast();
                _nodes.Remove(last.Value.Key);
                _bytes -= last.Value.Size;
            }

            _nodes[key] = _order.AddFirst((key, size));
            _bytes += size;
            return false;
        }
    }
}
