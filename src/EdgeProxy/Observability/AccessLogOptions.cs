namespace EdgeProxy.Observability;

/// <summary>The per-request access log (Serilog category <c>EdgeProxy.AccessLog</c>).</summary>
public sealed class AccessLogOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>Text (default, key=value with structured properties), Squid (squid native layout) or Json (one object per line).</summary>
    public AccessLogFormat Format { get; set; } = AccessLogFormat.Text;

    /// <summary>
    /// Entries waiting to be written. The log is written off the request path; when this queue is
    /// full, entries are dropped and counted rather than making requests wait.
    /// </summary>
    public int QueueCapacity { get; set; } = 10_000;

    /// <summary>
    /// Where lines go: null (default) through the logger (Serilog routing, structured properties);
    /// <c>stdout</c> for standard output; otherwise a file path, appended to and created if missing.
    /// With a path the writer formats lines itself and writes them in batches (much cheaper).
    /// Read at start-up.
    /// </summary>
    public string? Path { get; set; }
}
