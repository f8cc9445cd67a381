using EdgeProxy.Caching;

namespace EdgeProxy.Tests.Caching;

/// <summary>Reuse decisions: RFC 9111 4.2 / 5.2.1 request directives and RFC 5861.</summary>
public sealed class ReuseTests
{
    private const long Second = TimeSpan.TicksPerSecond;
    private const long Now = 1_000_000 * Second;

    private static CacheEntry Entry(long lifetimeSeconds, long ageSeconds, bool noCache = false, bool mustRevalidate = false, long swr = 0, long sie = 0) => new()
    {
        Url = "http://a/x",
        StatusCode = 200,
        Headers = [],
        Body = Array.Empty<byte>(),
        ResponseTime = Now - (ageSeconds * Second),
        CorrectedInitialAge = 0,
        FreshnessLifetime = lifetimeSeconds * Second,
        NoCache = noCache,
        MustRevalidate = mustRevalidate,
        StaleWhileRevalidate = swr * Second,
        StaleIfError = sie * Second,
        ETag = "\"e\"",
    };

    private static Reuse Decide(CacheEntry entry, string requestCc = "", bool pragma = false) =>
        CachePolicy.Decide(entry, Now, requestCc.Length == 0 ? CacheControl.Empty : CacheControl.Parse(requestCc), pragma, out _);

    [Fact]
    public void Fresh_Reused() => Assert.Equal(Reuse.Fresh, Decide(Entry(60, 10)));

    [Fact]
    public void Stale_Validated() => Assert.Equal(Reuse.Validate, Decide(Entry(60, 61)));

    [Fact]
    public void ResponseNoCache_AlwaysValidated() => Assert.Equal(Reuse.Validate, Decide(Entry(60, 1, noCache: true)));

    [Fact]
    public void RequestNoCache_Validated() => Assert.Equal(Reuse.Validate, Decide(Entry(60, 1), "no-cache"));

    [Fact]
    public void PragmaNoCache_OnlyWithoutCacheControl()
    {
        Assert.Equal(Reuse.Validate, Decide(Entry(60, 1), pragma: true));
        Assert.Equal(Reuse.Fresh, Decide(Entry(60, 1), "max-stale=5", pragma: true));
    }

    [Fact]
    public void RequestMaxAge_OlderEntryValidated() => Assert.Equal(Reuse.Validate, Decide(Entry(3600, 1800), "max-age=600"));

    [Fact]
    public void RequestMinFresh_NotFreshEnoughValidated() => Assert.Equal(Reuse.Validate, Decide(Entry(1500, 1000), "min-fresh=1000"));

    [Fact]
    public void RequestMaxStale_AcceptsStale() => Assert.Equal(Reuse.StaleAccepted, Decide(Entry(1, 100), "max-stale=1000"));

    [Fact]
    public void MustRevalidate_OverridesMaxStale() => Assert.Equal(Reuse.Validate, Decide(Entry(1, 100, mustRevalidate: true), "max-stale=1000"));

    [Fact]
    public void StaleWhileRevalidate_WithinWindow() => Assert.Equal(Reuse.StaleWhileRevalidate, Decide(Entry(0, 10, swr: 3600)));

    [Fact]
    public void StaleWhileRevalidate_PastWindowValidated() => Assert.Equal(Reuse.Validate, Decide(Entry(0, 10, swr: 5)));

    [Fact]
    public void StaleIfError_WithinWindowServed() =>
        Assert.True(CachePolicy.MayServeOnError(Entry(0, 10, sie: 60), Now, CacheControl.Empty, disconnected: false, 0));

    [Fact]
    public void StaleIfError_Elapsed_NotServed() =>
        Assert.False(CachePolicy.MayServeOnError(Entry(0, 10, sie: 1), Now, CacheControl.Empty, disconnected: false, 0));

    [Fact]
    public void StaleIfError_RequestDirective() =>
        Assert.True(CachePolicy.MayServeOnError(Entry(0, 10), Now, CacheControl.Parse("stale-if-error=60"), disconnected: false, 0));

    [Fact]
    public void Disconnected_GraceServesStale() =>
        Assert.True(CachePolicy.MayServeOnError(Entry(2, 10), Now, CacheControl.Empty, disconnected: true, 3600 * Second));

    [Fact]
    public void Disconnected_MustRevalidateForbidsStale() =>
        Assert.False(CachePolicy.MayServeOnError(Entry(2, 10, mustRevalidate: true), Now, CacheControl.Empty, disconnected: true, 3600 * Second));

    [Fact]
    public void Disconnected_NoCacheForbidsStale() =>
        Assert.False(CachePolicy.MayServeOnError(Entry(2, 10, noCache: true), Now, CacheControl.Empty, disconnected: true, 3600 * Second));
}
