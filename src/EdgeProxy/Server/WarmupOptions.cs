namespace EdgeProxy.Server;

/// <summary>The start-up warm-up: the <c>EdgeProxy:Warmup</c> section (see <see cref="StartupWarmup"/>).</summary>
public sealed class WarmupOptions
{
    /// <summary>Run the warm-up before the listeners open. Read at start-up.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// After the paths, the most time spent sending hits (a copied and a sendfile'd body in turn); they stop as soon as
    /// the JIT has compiled nothing for 300 ms, so the first clients get optimised code. Zero skips them. Read at start-up.
    /// </summary>
    public TimeSpan HitDuration { get; set; } = TimeSpan.FromSeconds(4);

    /// <summary>The most the warm-up may add to start-up; past it the proxy starts anyway and says so.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
}
