using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.InteropServices;
using System.Text;
using EdgeProxy.Configuration;
using EdgeProxy.Observability;
using EdgeProxy.Server;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Model;

namespace EdgeProxy.Caching;

/// <summary>
/// Fresh hits answered before Kestrel parses the request (<c>EdgeProxy:Transport:HitLane</c>). When the cache serves a
/// plain fresh hit on a cleartext HTTP/1.1 connection, it certifies the request's head, byte for byte as it came
/// (<see cref="Certify"/>): those bytes went through Kestrel's parser, routing and the cache's decisions once. At a later
/// request boundary, a head with exactly those bytes is answered by <see cref="HitLaneInput"/> from here: the same
/// entry, still in the store and still fresh, written straight to the socket with the same headers, Age and
/// Cache-Status, counted in the same metrics and access log. Nothing is parsed here: what is not an exact certified
/// head goes to Kestrel untouched. Identical bytes make identical decisions everywhere a hit's depend on the request,
/// so what can change between two of them is checked each time: the configuration (a change empties the lane), the
/// entry (replaced, purged or evicted: the lane steps aside and the cache decides again) and its freshness.
/// </summary>
/// <remarks>
/// Certified only: GET over HTTP/1.1 without a body (Kestrel's own reading of its framing), with none of the request's own caching fields (Cache-Control,
/// Pragma, conditionals, Range), without Connection or Authorization, on a route with no authorization policy and a
/// cluster without session affinity, for a 200 with a body and a Date. At most <see cref="MaxHeads"/> heads of at most
/// <see cref="MaxHeadBytes"/> are kept (all dropped when full); they name entries by id and hold no body.
/// </remarks>
internal sealed class HitLane : IConfigChangeListener
{
    public const int MaxHeadBytes = 2048;
    public const int MaxHeads = 4096;

    private static ReadOnlySpan<byte> AgeName => "Age: "u8;
    private static ReadOnlySpan<byte> CacheStatusName => "\r\nCache-Status: "u8;
    private static ReadOnlySpan<byte> HeadEnd => "\r\n\r\n"u8;

    private readonly ConcurrentDictionary<byte[], Certified> _heads = new(HeadComparer.Instance);
    private readonly ConcurrentDictionary<byte[], Certified>.AlternateLookup<ReadOnlySpan<byte>> _byBytes;
    private readonly ICacheStore _store;
    private readonly CacheMetrics _cacheMetrics;
    private readonly EdgeProxyMetrics? _metrics;
    private readonly AccessLogWriter _accessLog;
    private readonly TimeProvider _time;
    private readonly IOptionsMonitor<EdgeProxyOptions> _options;
    private readonly bool _fallbackAuthorization;
    private int _generation;
    private long _served;

    public HitLane(ICacheStore store, CacheMetrics cacheMetrics, AccessLogWriter accessLog, TimeProvider time, IOptionsMonitor<EdgeProxyOptions> options,
        IServiceProvider services)
    {
        _byBytes = _heads.GetAlternateLookup<ReadOnlySpan<byte>>();
        _store = store;
        _cacheMetrics = cacheMetrics;
        _metrics = services.GetService<EdgeProxyMetrics>();
        _accessLog = accessLog;
        _time = time;
        _options = options;
        _fallbackAuthorization = services.GetService<IOptions<Microsoft.AspNetCore.Authorization.AuthorizationOptions>>()?.Value.FallbackPolicy is not null;
        var transport = options.CurrentValue.Transport;
        Enabled = transport.HitLane && transport.ZeroCopy && OperatingSystem.IsLinux();
        options.OnChange(_ => Forget());
        if (services.GetService<IMeterFactory>() is { } meters)
        {
            var meter = meters.Create(EdgeProxyMeter.Name);
            meter.CreateObservableCounter("edgeproxy.hit_lane.requests", () => Served, "{request}",
                "Fresh hits answered by the hit lane before Kestrel parsed them (EdgeProxy:Transport:HitLane); counted in edgeproxy.requests too");
            meter.CreateObservableGauge("edgeproxy.hit_lane.heads", () => Count, "{head}", "Request heads the hit lane answers now");
        }
    }

    /// <summary>Whether cleartext connections get a <see cref="HitLaneInput"/> (read at start-up).</summary>
    public bool Enabled { get; }

    /// <summary>Requests answered by the lane since start.</summary>
    public long Served => Interlocked.Read(ref _served);

    /// <summary>Heads certified now.</summary>
    public int Count => _heads.Count;

    /// <summary>Changes with the configuration; a head stashed under another generation is not certified.</summary>
    public int Generation => Volatile.Read(ref _generation);

    /// <summary>
    /// Length of the request head at the start of <paramref name="bytes"/> (through its empty line), or -1 when there
    /// is none the lane could know: not a GET of an origin-form target, longer than <see cref="MaxHeadBytes"/>, not
    /// complete, or with a line that does not end in CRLF (Kestrel may take a bare LF as a line's end, and a head is
    /// only the same request when it ends where Kestrel's does).
    /// </summary>
    public static int HeadLength(ReadOnlySpan<byte> bytes)
    {
        if (!bytes.StartsWith("GET /"u8))
        {
            return -1;
        }

        var end = bytes[..Math.Min(bytes.Length, MaxHeadBytes)].IndexOf(HeadEnd);
        if (end < 0)
        {
            return -1;
        }

        var head = bytes[..(end + HeadEnd.Length)];
        for (var at = head.IndexOf((byte)'\n'); at >= 0; at = NextLineFeed(head, at))
        {
            if (at == 0 || head[at - 1] != '\r')
            {
                return -1;
            }
        }

        return head.Length;
    }

    private static int NextLineFeed(ReadOnlySpan<byte> head, int at)
    {
        var next = head[(at + 1)..].IndexOf((byte)'\n');
        return next < 0 ? -1 : at + 1 + next;
    }

    /// <summary>
    /// Called by the cache after it served <paramref name="entry"/> as a fresh hit: certifies the request's head (as
    /// its connection's lane stashed it) when the request is one the lane may answer the same way.
    /// </summary>
    public void Certify(HttpContext context, CacheEntry entry)
    {
        var generation = Generation;
        if (context.Features.Get<HitLaneInput>() is not { } input || !input.TakeHead(generation, out var head))
        {
            return;
        }

        // A head with a body would leave the body's bytes to be read as the next request once the lane answered it.
        var request = context.Request;
        var headers = request.Headers;
        if (!HttpMethods.IsGet(request.Method) || !HttpProtocol.IsHttp11(request.Protocol) || entry.StatusCode != StatusCodes.Status200OK
            || context.Features.Get<IHttpRequestBodyDetectionFeature>() is not { CanHaveBody: false }
            || entry.Body.IsEmpty || !HasDate(entry)
            || headers.CacheControl.Count + headers.Pragma.Count + headers.IfNoneMatch.Count + headers.IfModifiedSince.Count + headers.IfMatch.Count
                + headers.IfUnmodifiedSince.Count + headers.IfRange.Count + headers.Range.Count + headers.Connection.Count + headers.Authorization.Count > 0
            || context.GetEndpoint() is not { } endpoint || _fallbackAuthorization || EdgeProxyApplicationBuilderExtensions.HasAuthorizationMetadata(endpoint)
            || endpoint.Metadata.GetMetadata<RouteModel>() is not { } route || route.Cluster?.Model.Config.SessionAffinity?.Enabled == true)
        {
            return;
        }

        if (_heads.Count >= MaxHeads)
        {
            _heads.Clear();
        }

        _heads[head.ToArray()] = new Certified(generation, entry.Url, entry.Id, request.Path, request.QueryString);
    }

    private static bool HasDate(CacheEntry entry)
    {
        foreach (var header in entry.Headers)
        {
            if (header.Key.Equals(HeaderNames.Date, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Writes the response to <paramref name="head"/> into <paramref name="output"/> (not flushed) when the head is
    /// certified and its entry is still stored and fresh; false, with nothing written, otherwise.
    /// </summary>
    public bool TryWrite(ReadOnlySpan<byte> head, HitLaneInput input, SocketOutput output, long startTimestamp)
    {
        if (!_byBytes.TryGetValue(head, out var certified) || certified.Generation != Generation)
        {
            return false;
        }

        var entry = Find(_store.Get(certified.Key), certified.EntryId);
        if (entry is null)
        {
            _byBytes.TryRemove(head, out _, out _); // replaced, purged or evicted: the cache decides again
            return false;
        }

        if (CachePolicy.Decide(entry, _time.GetUtcNow().UtcTicks, CacheControl.Empty, pragmaNoCache: false, out var age) != Reuse.Fresh)
        {
            return false;
        }

        var strings = entry.GetHitStrings(age, _options.CurrentValue.NodeName);
        var stored = entry.LaneHead ??= SerializeHeaders(entry);
        var size = stored.Length + AgeName.Length + strings.Age.Length + CacheStatusName.Length + strings.CacheStatus.Length + HeadEnd.Length;
        var span = output.GetSpan(size);
        stored.CopyTo(span);
        var at = stored.Length;
        at += Append(span[at..], AgeName);
        at += Encoding.Latin1.GetBytes(strings.Age, span[at..]);
        at += Append(span[at..], CacheStatusName);
        at += Encoding.Latin1.GetBytes(strings.CacheStatus, span[at..]);
        at += Append(span[at..], HeadEnd);
        output.Advance(at);

        var body = entry.Body;
        if (MemoryMarshal.TryGetMemoryManager(body, out FileBackedBody? file, out var start, out var length))
        {
            CachingMiddleware.AdvanceOverFile(output, output, file, start, length);
        }
        else
        {
            CachingMiddleware.MoveLargeBodyToFileLater(entry, output);
            output.Write(body.Span);
        }

        Interlocked.Increment(ref _served);
        _cacheMetrics.Count(hit: true);
        var elapsed = Stopwatch.GetElapsedTime(startTimestamp);
        _metrics?.HitCompleted(body.Length, elapsed);
        if (_accessLog.Enabled)
        {
            _accessLog.Write(new AccessLogEntry(
                DateTimeOffset.UtcNow, input.RemoteAddress, HttpMethods.Get, PathString.Empty, certified.Path, certified.Query, StatusCodes.Status200OK,
                body.Length, elapsed.TotalMilliseconds, "-", "HIT", Origins.OriginFailureKind.None, null, strings.CacheStatus, "-", null, 0,
                elapsed.TotalMilliseconds));
        }

        return true;
    }

    private static int Append(Span<byte> destination, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(destination);
        return bytes.Length;
    }

    private static CacheEntry? Find(CacheVariants? variants, long id)
    {
        if (variants is not null)
        {
            foreach (var entry in variants.Entries)
            {
                if (entry.Id == id)
                {
                    return entry;
                }
            }
        }

        return null;
    }

    /// <summary>The status line and the stored fields as Kestrel writes them (one line per value, Latin-1), without the head's end.</summary>
    private static byte[] SerializeHeaders(CacheEntry entry)
    {
        var text = new StringBuilder("HTTP/1.1 200 OK\r\n");
        foreach (var (name, values) in entry.Headers)
        {
            foreach (var value in values)
            {
                text.Append(name).Append(": ").Append(value).Append("\r\n");
            }
        }

        return Encoding.Latin1.GetBytes(text.ToString());
    }

    /// <summary>Drops every certified head: the configuration they were certified under is gone.</summary>
    public void Forget()
    {
        Interlocked.Increment(ref _generation);
        _heads.Clear();
    }

    void IConfigChangeListener.ConfigurationApplied(IReadOnlyList<IProxyConfig> proxyConfigs) => Forget();

    void IConfigChangeListener.ConfigurationApplyingFailed(IReadOnlyList<IProxyConfig> proxyConfigs, Exception exception) => Forget();

    void IConfigChangeListener.ConfigurationLoaded(IReadOnlyList<IProxyConfig> proxyConfigs)
    {
    }

    void IConfigChangeListener.ConfigurationLoadingFailed(IProxyConfigProvider configProvider, Exception exception)
    {
    }

    private sealed record Certified(int Generation, string Key, long EntryId, PathString Path, QueryString Query);

    /// <summary>Heads compared as bytes, looked up by span without a copy.</summary>
    private sealed class HeadComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
    {
        public static readonly HeadComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj) => GetHashCode((ReadOnlySpan<byte>)obj);

        public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

        public int GetHashCode(ReadOnlySpan<byte> alternate)
        {
            var hash = new HashCode();
            hash.AddBytes(alternate);
            return hash.ToHashCode();
        }

        public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
    }
}
