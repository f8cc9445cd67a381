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

    /// <summary>Serve HTTP/2 only, in cleartext (h2c with prior knowledge), for tests of HTTP/2 to origins.</summary>
    public bool Http2Only { get; set; }
}
