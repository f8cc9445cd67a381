namespace EdgeProxy.Demo;

/// <summary>
/// Starts the repository's controllable test origin in-process, so a newcomer's first
/// <c>dotnet run</c> has something to proxy. On only in the Development configuration.
/// </summary>
public sealed class DemoOriginOptions
{
    public bool Enabled { get; set; }

    /// <summary>Loopback ports of the demo origins, one origin per port (primary first).</summary>
    public List<int> Ports { get; set; } = [];
}
