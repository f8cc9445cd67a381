namespace EdgeProxy.Server;

/// <summary>The start-up warm-up: the <c>EdgeProxy:Warmup</c> section (see <see cref="StartupWarmup"/>).</summary>
public sealed class WarmupOptions
{
    /// <summary>Run the warm-up before the listeners open. Read at start-up.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The most the warm-up may add to start-up; past it the proxy starts anyway and says so.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
}
