namespace EdgeProxy.Collapsing;

/// <summary>Collapsed forwarding: <c>EdgeProxy:Caching:Collapsing</c>.</summary>
public sealed class CollapsingOptions
{
    /// <summary>Waiters allowed on one fill; the next arrival takes <see cref="WaitLimitAction"/>.</summary>
    public int MaxWaiters { get; set; } = 10_000;

    /// <summary>Longest a waiter waits for the fill's response headers before <see cref="WaitLimitAction"/>.</summary>
    public TimeSpan MaxWait { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>What a waiter does when a bound is hit: go to the origin itself, serve stale (or the origin when none), or 503.</summary>
    public WaitLimitAction WaitLimitAction { get; set; } = WaitLimitAction.Origin;

    /// <summary>Retry-After seconds sent with the 503 of <see cref="WaitLimitAction.ServiceUnavailable"/>.</summary>
    public int RetryAfterSeconds { get; set; } = 1;

    /// <summary>How long a key whose answer was not shareable skips the lock (hit-for-miss).</summary>
    public TimeSpan HitForMissDuration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// When an origin breaks mid-body and the response has a strong ETag and a Content-Length, fetch the
    /// rest once with <c>Range</c> + <c>If-Range</c> and finish every reader's response intact.
    /// </summary>
    public bool ResumeBrokenBodies { get; set; } = true;

    /// <summary>When every client of a fill left: finish it (if worth it) or stop it.</summary>
    public AbandonPolicy AbandonPolicy { get; set; } = AbandonPolicy.Complete;

    /// <summary>With <see cref="AbandonPolicy.Complete"/>: an abandoned storable fill finishes when its object is at most this big...</summary>
    public long CompleteMaxBytes { get; set; } = 8L * 1024 * 1024;

    /// <summary>... or when more than this fraction has arrived.</summary>
    public double CompleteFraction { get; set; } = 0.5;
}
