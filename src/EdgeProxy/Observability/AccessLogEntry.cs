using EdgeProxy.Origins;

namespace EdgeProxy.Observability;

/// <summary>One access-log line, captured at the end of the request and written off the request path.</summary>
internal readonly record struct AccessLogEntry(
    DateTimeOffset Time,
    string Client,
    string Method,
    string Url,
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
    double? TimeToFirstByteMs = null);
