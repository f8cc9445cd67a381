using System.Net;
using EdgeProxy.Origins;

namespace EdgeProxy.Observability;

/// <summary>
/// One access-log line, captured at the end of the request and written off the request path. The
/// client address and the request target are kept as the request's own references (no string is
/// built on the request path); <see cref="AccessLogLineFormatter"/> renders them on the writer's task.
/// </summary>
internal readonly record struct AccessLogEntry(
    DateTimeOffset Time,
    IPAddress? ClientAddress,
    string Method,
    PathString PathBase,
    PathString Path,
    QueryString Query,
    int Status,
    long Bytes,
    double DurationMs,
    string Origin,
    string CacheResult,
    OriginFailureKind Failure,
    string? Detail,
    string? CacheStatus,
    string CollapsedRole,
    string? EscalationReason,
    int Attempts,
    double? TimeToFirstByteMs = null)
{
    /// <summary>The client address as text ("-" when unknown); allocates, for the logger output only.</summary>
    public string Client => ClientAddress?.ToString() ?? "-";

    /// <summary>The encoded path and query (as <c>GetEncodedPathAndQuery</c>); allocates, for the logger output only.</summary>
    public string Url => PathBase.ToUriComponent() + (Path.HasValue ? Path.ToUriComponent() : "/") + Query.ToUriComponent();
}
