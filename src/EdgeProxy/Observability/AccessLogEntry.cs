using System.Net;
using EdgeProxy.Origins;
using Microsoft.AspNetCore.Http.Extensions;

namespace EdgeProxy.Observability;

/// <summary>
/// One access-log line, captured at the end of the request and written off the request path. The
/// client address and the request target are kept as the request's own objects and turned into text
/// (<see cref="Client"/>, <see cref="Url"/>) by the background writer, not on the request path.
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
    /// <summary>The client's address as text ("-" when unknown).</summary>
    public string Client => ClientAddress?.ToString() ?? "-";

    /// <summary>The encoded path and query, as <c>HttpRequest.GetEncodedPathAndQuery()</c> gives it.</summary>
    public string Url => UriHelper.BuildRelative(PathBase, Path, Query);
}
