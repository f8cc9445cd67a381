using System.Globalization;
using Microsoft.Extensions.Primitives;

namespace EdgeProxy.Caching;

/// <summary>
/// One stored response (one variant of a URL): status, headers kept pre-parsed as (name, values)
/// pairs, the whole body, and the facts of RFC 9111 4.2 computed once at store time. Immutable
/// except for the per-second cache of the strings a hit sends.
/// </summary>
internal sealed class CacheEntry
{
    private static long s_lastId;
    private HitStrings? _hitStrings;
    private object? _bodyOwner; // ManagedBody, or FileBackedBody once moved: one reference, so a reader never sees a mix
    private int _moveClaimed;

    /// <summary>Unique in the process: what names this entry, not another stored under the same key later (<see cref="HitLane"/>).</summary>
    public long Id { get; } = Interlocked.Increment(ref s_lastId);

    /// <summary>The status line and stored fields as the hit lane writes them, made at its first answer from this entry.</summary>
    internal byte[]? LaneHead { get; set; }

    public required string Url { get; init; }

    public required int StatusCode { get; init; }

    /// <summary>Stored response headers without Age (computed per hit) and hop-by-hop fields.</summary>
    public required KeyValuePair<string, StringValues>[] Headers { get; init; }

    /// <summary>
    /// The whole body: the managed bytes it was stored with, or, once it has been hit on a connection that can send it
    /// without copying, the same bytes in a sealed memory file (<see cref="MoveBodyToFile"/>). Either way the same bytes.
    /// </summary>
    public required ReadOnlyMemory<byte> Body
    {
        get
        {
            // One read: the owner may be swapped between two (seen under load: a cast of the file to ManagedBody).
            var owner = Volatile.Read(ref _bodyOwner);
            return owner is FileBackedBody file ? file.Memory : ((ManagedBody)owner!).Memory;
        }

        init => _bodyOwner = new ManagedBody(value);
    }

    /// <summary>
    /// Asks, once per entry, for the body to move into a sealed memory file. True for the one caller that should do it
    /// (<see cref="MoveBodyToFile"/>); false when it was asked before.
    /// </summary>
    public bool TryClaimMoveToFile() => Interlocked.CompareExchange(ref _moveClaimed, 1, 0) == 0;

    /// <summary>
    /// Makes <paramref name="file"/> (the same bytes) the body. The managed bytes stay readable for whoever already
    /// holds them and are left to the GC; readers from now on get the file's memory. The switch is one reference write,
    /// so a reader sees one body or the other, never a mix.
    /// </summary>
    public void MoveBodyToFile(FileBackedBody file)
    {
        if (file.Length != Body.Length)
        {
            throw new ArgumentException("A body moves only to a file of its own length.", nameof(file));
        }

        Volatile.Write(ref _bodyOwner, file);
    }

    private sealed class ManagedBody(ReadOnlyMemory<byte> memory)
    {
        public ReadOnlyMemory<byte> Memory { get; } = memory;
    }

    /// <summary>When the response (or the 304 that last refreshed it) arrived, UTC ticks.</summary>
    public required long ResponseTime { get; init; }

    /// <summary>RFC 9111 4.2.3 corrected_initial_age, ticks.</summary>
    public required long CorrectedInitialAge { get; init; }

    /// <summary>RFC 9111 4.2.1 freshness lifetime, ticks (capped by escalation's TTL cap).</summary>
    public required long FreshnessLifetime { get; init; }

    /// <summary>Response no-cache: never served without revalidation.</summary>
    public bool NoCache { get; init; }

    /// <summary>must-revalidate / proxy-revalidate / s-maxage: never served stale.</summary>
    public bool MustRevalidate { get; init; }

    public long StaleWhileRevalidate { get; init; }

    public long StaleIfError { get; init; }

    public string? ETag { get; init; }

    public string? LastModified { get; init; }

    public DateTimeOffset? LastModifiedDate { get; init; }

    /// <summary>Request header names of the Vary field, lower case; empty when none.</summary>
    public string[] VaryNames { get; init; } = [];

    /// <summary>The normalised values of <see cref="VaryNames"/> in the request that produced this entry.</summary>
    public string VaryKey { get; init; } = "";

    public string[] Tags { get; init; } = [];

    /// <summary>Bytes this entry is charged in the store: body plus a header estimate.</summary>
    public long Size { get; init; }

    /// <summary>"edgeproxy; fwd=...; detail=..." for the one that answered when this entry was filled (the access log's view of it).</summary>
    public bool HasValidator => ETag is not null || LastModified is not null;

    public long CurrentAge(long now) => CorrectedInitialAge + Math.Max(0, now - ResponseTime);

    /// <summary>The Age and Cache-Status values a hit sends, formatted once per second of age.</summary>
    public HitStrings GetHitStrings(long age, string node)
    {
        var seconds = age / TimeSpan.TicksPerSecond;
        var cached = _hitStrings;
        if (cached is not null && cached.AgeSeconds == seconds && ReferenceEquals(cached.Node, node))
        {
            return cached;
        }

        var ttl = (FreshnessLifetime - age) / TimeSpan.TicksPerSecond;
        var ageText = seconds.ToString(CultureInfo.InvariantCulture);
        var created = new HitStrings(seconds, node, ageText, node + "; hit; ttl=" + ttl.ToString(CultureInfo.InvariantCulture));
        _hitStrings = created;
        return created;
    }

    internal sealed record HitStrings(long AgeSeconds, string Node, string Age, string CacheStatus);
}
