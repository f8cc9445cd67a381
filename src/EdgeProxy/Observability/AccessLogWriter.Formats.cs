using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using EdgeProxy.Origins;

namespace EdgeProxy.Observability;

/// <summary>The Squid and JSON layouts of an access-log entry (formatted on the writer's background task).</summary>
internal sealed partial class AccessLogWriter
{
    private static readonly JsonWriterOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Squid's native layout: <c>time elapsed client result/status bytes method URL user hierarchy/peer type</c>
    /// (time in Unix seconds with milliseconds, elapsed in ms), then EdgeProxy's fields as key=value.
    /// </summary>
    internal static string FormatSquid(in AccessLogEntry e)
    {
        var invariant = CultureInfo.InvariantCulture;
        var result = e.CacheResult == "-" ? "TCP_NONE" : "TCP_" + e.CacheResult.ToUpperInvariant();
        var hierarchy = e.Origin == "-" ? "HIER_NONE/-" : "HIER_DIRECT/" + e.Origin;
        var line = new StringBuilder(256);
        line.Append((e.Time.ToUnixTimeMilliseconds() / 1000.0).ToString("0.000", invariant)).Append(' ')
            .Append(((long)e.DurationMs).ToString(invariant).PadLeft(6)).Append(' ')
            .Append(e.Client).Append(' ')
            .Append(result).Append('/').Append(e.Status.ToString(invariant)).Append(' ')
            .Append(e.Bytes.ToString(invariant)).Append(' ')
            .Append(e.Method).Append(' ')
            .Append(e.Url).Append(" - ")
            .Append(hierarchy).Append(" - ")
            .Append("ttfb=").Append((e.TimeToFirstByteMs ?? e.DurationMs).ToString("0.0", invariant)).Append("ms")
            .Append(" cache_status=\"").Append(e.CacheStatus ?? "-").Append('"')
            .Append(" role=").Append(e.CollapsedRole)
            .Append(" escalated=").Append(e.EscalationReason ?? "-")
            .Append(" attempts=").Append(e.Attempts.ToString(invariant))
            .Append(" failure=").Append(OriginFailureClassifier.Describe(e.Failure));
        return line.ToString();
    }

    /// <summary>One JSON object with every field; absent values are null.</summary>
    internal static string FormatJson(in AccessLogEntry e)
    {
        using var buffer = new MemoryStream(512);
        using (var w = new Utf8JsonWriter(buffer, JsonOptions))
        {
            w.WriteStartObject();
            w.WriteString("time", e.Time);
            w.WriteString("client", e.Client);
            w.WriteString("method", e.Method);
            w.WriteString("url", e.Url);
            w.WriteNumber("status", e.Status);
            w.WriteNumber("bytes", e.Bytes);
            w.WriteNumber("duration_ms", Math.Round(e.DurationMs, 3));
            w.WriteNumber("ttfb_ms", Math.Round(e.TimeToFirstByteMs ?? e.DurationMs, 3));
            WriteOptional(w, "origin", e.Origin == "-" ? null : e.Origin);
            w.WriteString("cache_result", e.CacheResult);
            WriteOptional(w, "cache_status", e.CacheStatus);
            w.WriteString("collapsed_role", e.CollapsedRole);
            WriteOptional(w, "escalation_reason", e.EscalationReason);
            w.WriteNumber("attempts", e.Attempts);
            w.WriteString("failure", OriginFailureClassifier.Describe(e.Failure));
            WriteOptional(w, "detail", e.Detail);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static void WriteOptional(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, value);
        }
    }
}
