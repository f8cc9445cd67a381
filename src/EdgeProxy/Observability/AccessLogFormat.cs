namespace EdgeProxy.Observability;

/// <summary>How each access-log entry is written (<c>EdgeProxy:AccessLog:Format</c>).</summary>
public enum AccessLogFormat
{
    /// <summary>EdgeProxy's key=value line with structured properties (EventId 1000): the default.</summary>
    Text,

    /// <summary>Squid's native access.log layout (time, elapsed, client, result/status, bytes, method, URL, hierarchy/origin) plus EdgeProxy's fields (EventId 1001).</summary>
    Squid,

    /// <summary>One JSON object per entry (EventId 1002).</summary>
    Json,
}
