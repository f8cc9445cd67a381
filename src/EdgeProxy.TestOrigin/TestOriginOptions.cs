namespace EdgeProxy.TestOrigin;

/// <summary>How a <see cref="TestOriginServer"/> listens.</summary>
public sealed class TestOriginOptions
{
    /// <summary>Loopback port; 0 picks an ephemeral one.</summary>
    public int Port { get; set; }

    /// <summary>Sent back as <c>X-Origin</c> so tests can tell origins apart.</summary>
    public string Name { get; set; } = "origin";

    /// <summary>Status every request gets when set (e.g. 503 for a failing primary), unless the query says otherwise.</summary>
    public int? ForceStatus { get; set; }
}
