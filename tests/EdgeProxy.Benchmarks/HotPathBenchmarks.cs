using BenchmarkDotNet.Attributes;
using EdgeProxy.Caching;
using EdgeProxy.Collapsing;
using EdgeProxy.Configuration;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace EdgeProxy.Benchmarks;

/// <summary>
/// The hot pieces of a hit, each on its own: the key, the freshness decision, the stored headers onto a
/// response, the store lookup, and reading a fill's bytes. Inputs are built once in setup.
/// </summary>
[MemoryDiagnoser]
public class HotPathBenchmarks : IDisposable
{
    private const string Key = "http://bench.local/assets/app/main.3f2a9c.js?v=12&lang=en";
    private DefaultHttpContext _request = null!;
    private DefaultHttpContext _response = null!;
    private CacheEntry _entry = null!;
    private CacheControl _requestDirectives = null!;
    private MemoryCacheStore _store = null!;
    private Fill _fill = null!;
    private long _now;

    [GlobalSetup]
    public void Setup()
    {
        _request = new DefaultHttpContext();
        _request.Request.Scheme = "http";
        _request.Request.Host = new HostString("bench.local");
        _request.Request.Path = "/assets/app/main.3f2a9c.js";
        _request.Request.QueryString = new QueryString("?v=12&lang=en");
        _response = new DefaultHttpContext();

        _now = DateTimeOffset.UtcNow.UtcTicks;
        _entry = new CacheEntry
        {
            Url = Key,
            StatusCode = 200,
            Headers =
            [
                new("Content-Type", new StringValues("application/javascript")),
                new("Content-Length", new StringValues("1024")),
                new("Cache-Control", new StringValues("public, max-age=600")),
                new("ETag", new StringValues("\"3f2a9c\"")),
                new("Last-Modified", new StringValues("Tue, 01 Dec 2026 20:00:00 GMT")),
                new("Date", new StringValues("Tue, 01 Dec 2026 22:00:00 GMT")),
                new("Vary", new StringValues("Accept-Encoding")),
            ],
            Body = new byte[1024],
            ResponseTime = _now - TimeSpan.TicksPerMinute,
            CorrectedInitialAge = 0,
            FreshnessLifetime = 10 * TimeSpan.TicksPerMinute,
            ETag = "\"3f2a9c\"",
            Size = 1024 + 512,
        };
        _requestDirectives = CacheControl.Parse(new StringValues("max-age=300"));

        _store = new MemoryCacheStore(Options.Create(new EdgeProxyOptions()));
        _store.Set(_entry);

        _fill = new Fill(Key, Key, null, registered: false, new CollapsingOptions(), maxObjectSize: long.MaxValue);
        var chunk = new byte[16 * 1024];
        for (var i = 0; i < 7; i++)
        {
            _fill.AppendAsync(chunk, CancellationToken.None).AsTask().GetAwaiter().GetResult(); // 112 KiB, two 64 KiB chunks
        }
    }

    [GlobalCleanup]
    public void Cleanup() => Dispose();

    public void Dispose()
    {
        _store?.Dispose();
        _fill?.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>The key written on the stack, as the hit path does (no string).</summary>
    [Benchmark]
    public int KeyOnStack()
    {
        Span<char> buffer = stackalloc char[CacheKey.StackLimit];
        return CacheKey.Write(_request.Request, buffer);
    }

    /// <summary>The key as a string, as a miss needs it.</summary>
    [Benchmark]
    public string KeyString() => CacheKey.Build(_request.Request, null);

    /// <summary>Freshness: a fresh entry, no request directives.</summary>
    [Benchmark]
    public int Decide() => (int)CachePolicy.Decide(_entry, _now, CacheControl.Empty, pragmaNoCache: false, out _);

    /// <summary>Freshness with a request's <c>Cache-Control: max-age=300</c> (parsed once).</summary>
    [Benchmark]
    public int DecideWithRequestMaxAge() => (int)CachePolicy.Decide(_entry, _now, _requestDirectives, pragmaNoCache: false, out _);

    /// <summary>Seven stored header fields, Age and Cache-Status onto a response's header dictionary (cleared first).</summary>
    [Benchmark]
    public int WriteHeaders()
    {
        var headers = _response.Response.Headers;
        headers.Clear();
        foreach (var header in _entry.Headers)
        {
            headers[header.Key] = header.Value;
        }

        var strings = _entry.GetHitStrings(60 * TimeSpan.TicksPerSecond, "edgeproxy");
        headers.Age = strings.Age;
        headers.Append("Cache-Status", strings.CacheStatus);
        return headers.Count;
    }

    /// <summary>A hit in the store, looked up by a key on the stack.</summary>
    [Benchmark]
    public bool StoreGet()
    {
        Span<char> buffer = stackalloc char[CacheKey.StackLimit];
        var written = CacheKey.Write(_request.Request, buffer);
        return _store.Get(buffer[..written]) is not null;
    }

    /// <summary>Every segment of a 112 KiB fill (as a reader of an in-progress or completed fill walks it).</summary>
    [Benchmark]
    public long FillReadSegments()
    {
        long position = 0;
        while (_fill.TryRead(position, out var data))
        {
            position += data.Length;
        }

        return position;
    }
}
