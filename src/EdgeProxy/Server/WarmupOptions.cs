namespace EdgeProxy.Server;

/// <summary>The start-up warm-up: the <c>EdgeProxy:Warmup</c> section (see <see cref="StartupWarmup"/>).</summary>
public sealed class WarmupOptions
{
    /// <summary>Run the warm-up before the listeners open. Read at start-up.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// After the paths, the most time spent sending hits (a copied and a sendfile'd body in turn, on
    /// <see cref="HitConnections"/> connections, in rounds of 250 ms of hits and 150 ms of pause); they stop as soon as
    /// a round finds the JIT settled (fewer than 16 methods compiled), so the first clients get code at its final tier.
    /// Zero skips them. Read at start-up.
    /// </summary>
    public TimeSpan HitDuration { get; set; } = TimeSpan.FromSeconds(6);

    /// <summary>The connections the warm-up's hits are sent on at once (a loaded edge serves many). Read at start-up.</summary>
    public int HitConnections { get; set; } = 64;

    /// <summary>The most the warm-up may add to start-up; past it the proxy starts anyway and says so.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
}
