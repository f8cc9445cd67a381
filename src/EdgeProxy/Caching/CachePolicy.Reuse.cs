namespace EdgeProxy.Caching;

/// <summary>How a stored response may be used for a request (RFC 9111 4.2, 4.3, 5.2.1; RFC 5861).</summary>
internal enum Reuse
{
    /// <summary>Fresh enough for this request: a hit.</summary>
    Fresh,

    /// <summary>Stale but the request's max-stale accepts it: a hit.</summary>
    StaleAccepted,

    /// <summary>Stale within stale-while-revalidate: serve it and revalidate in the background.</summary>
    StaleWhileRevalidate,

    /// <summary>Must go to the origin (conditional when it has validators).</summary>
    Validate,
}

internal sealed partial class CachePolicy
{
    /// <summary>One cheap decision per hit: the entry's age against its lifetime and the request's directives.</summary>
    public static Reuse Decide(CacheEntry entry, long now, CacheControl request, bool pragmaNoCache, out long age)
    {
        age = entry.CurrentAge(now);
        if (entry.NoCache || request.NoCache || (pragmaNoCache && !request.Present))
        {
            return Reuse.Validate;
        }

        var lifetime = entry.FreshnessLifetime;
        if (request.Present)
        {
            if (request.MaxAge is { } maxAge && age > maxAge.Ticks)
            {
                return Reuse.Validate;
            }

            if (request.MinFresh is { } minFresh && lifetime - age < minFresh.Ticks)
            {
                return Reuse.Validate;
            }
        }

        if (lifetime > age)
        {
            return Reuse.Fresh;
        }

        if (entry.MustRevalidate)
        {
            return Reuse.Validate;
        }

        var staleness = age - lifetime;
        if (request.MaxStale is { } maxStale && (maxStale == TimeSpan.MaxValue || staleness <= maxStale.Ticks))
        {
            return Reuse.StaleAccepted;
        }

        return staleness < entry.StaleWhileRevalidate ? Reuse.StaleWhileRevalidate : Reuse.Validate;
    }

    /// <summary>
    /// May this stale entry answer for a failed origin? RFC 5861 stale-if-error (response or request) or
    /// the route's default grace for errors and 5xx; RFC 9111 4.2.4 lets a disconnected cache (no answer
    /// at all) serve stale within <paramref name="disconnectedGrace"/>. Never when must-revalidate,
    /// proxy-revalidate, s-maxage or no-cache forbid stale use.
    /// </summary>
    public static bool MayServeOnError(CacheEntry entry, long now, CacheControl request, bool disconnected, long disconnectedGrace)
    {
        var age = entry.CurrentAge(now);
        var staleness = age - entry.FreshnessLifetime;
        if (staleness <= 0 && !entry.NoCache)
        {
            return true;
        }

        if (entry.MustRevalidate || entry.NoCache)
        {
            return false;
        }

        var allowed = Math.Max(request.StaleIfError?.Ticks ?? 0, entry.StaleIfError);
        if (disconnected)
        {
            allowed = Math.Max(allowed, disconnectedGrace);
        }

        return staleness <= allowed;
    }
}
