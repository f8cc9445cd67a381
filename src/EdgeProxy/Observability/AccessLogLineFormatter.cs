using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using EdgeProxy.Origins;

namespace EdgeProxy.Observability;

/// <summary>
/// Renders an <see cref="AccessLogEntry"/> as one UTF-8 line (without the newline) in the Text, Squid
/// or Json layout, straight into a byte buffer: numbers, times and the client address are formatted
/// as UTF-8 (<see cref="IUtf8SpanFormattable"/>), strings are transcoded once, no string is built per
/// field. Control characters in text fields become spaces, so an entry never spans two lines.
/// The one formatting code path for the file/stdout output and the logger's Squid/Json messages.
/// Not thread-safe: one instance per writer task.
/// </summary>
internal sealed class AccessLogLineFormatter
{
    private static readonly JsonWriterOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    private readonly ArrayBufferWriter<byte> _scratch = new(1024);
    private readonly ArrayBufferWriter<byte> _line = new(1024);
    private Utf8JsonWriter? _json;

    /// <summary>Appends the entry's line (no newline) to <paramref name="output"/>.</summary>
    public void Format(in AccessLogEntry e, AccessLogFormat format, IBufferWriter<byte> output)
    {
        switch (format)
        {
            case AccessLogFormat.Squid:
                FormatSquid(e, output);
                break;
            case AccessLogFormat.Json:
                FormatJson(e, output);
                break;
            default:
                FormatText(e, output);
                break;
        }
    }

    /// <summary>The line as a string, for the logger output.</summary>
    public string FormatToString(in AccessLogEntry e, AccessLogFormat format)
    {
        _line.ResetWrittenCount();
        Format(e, format, _line);
        return Encoding.UTF8.GetString(_line.WrittenSpan);
    }

    /// <summary>
    /// The logger's Text message without the logger: <c>client "METHOD url" status bytes 1.2ms ttfb=1.0ms
    /// origin=.. cache=.. failure=.. detail=".." cache_status=".." role=.. escalated=.. attempts=N at=ISO-8601</c>.
    /// </summary>
    private static void FormatText(in AccessLogEntry e, IBufferWriter<byte> w)
    {
        WriteClient(w, e);
        Raw(w, " \""u8);
        Str(w, e.Method);
        Raw(w, " "u8);
        WriteUrl(w, e);
        Raw(w, "\" "u8);
        Num(w, e.Status);
        Raw(w, " "u8);
        Num(w, e.Bytes);
        Raw(w, " "u8);
        Num(w, e.DurationMs, "0.0");
        Raw(w, "ms ttfb="u8);
        Num(w, e.TimeToFirstByteMs ?? e.DurationMs, "0.0");
        Raw(w, "ms origin="u8);
        Str(w, e.Origin);
        Raw(w, " cache="u8);
        Str(w, e.CacheResult);
        Raw(w, " failure="u8);
        Str(w, OriginFailureClassifier.Describe(e.Failure));
        Raw(w, " detail=\""u8);
        Str(w, e.Detail ?? "-");
        Raw(w, "\" cache_status=\""u8);
        CacheStatusToAttempts(w, e);
        Raw(w, " at="u8);
        Num(w, e.Time, "O");
    }

    /// <summary>
    /// Squid's native layout: <c>time elapsed client result/status bytes method URL user hierarchy/peer type</c>
    /// (time in Unix seconds with milliseconds, elapsed in ms right-aligned in 6), then EdgeProxy's fields as key=value.
    /// </summary>
    private static void FormatSquid(in AccessLogEntry e, IBufferWriter<byte> w)
    {
        Num(w, e.Time.ToUnixTimeMilliseconds() / 1000.0, "0.000");
        Raw(w, " "u8);
        var elapsed = (long)e.DurationMs;
        Span<byte> digits = stackalloc byte[24];
        elapsed.TryFormat(digits, out var n, default, CultureInfo.InvariantCulture);
        for (var pad = n; pad < 6; pad++)
        {
            Raw(w, " "u8);
        }

        Raw(w, digits[..n]);
        Raw(w, " "u8);
        WriteClient(w, e);
        if (e.CacheResult == "-")
        {
            Raw(w, " TCP_NONE/"u8);
        }
        else
        {
            Raw(w, " TCP_"u8);
            var start = w.GetSpan(Encoding.UTF8.GetMaxByteCount(e.CacheResult.Length));
            var count = Encoding.UTF8.GetBytes(e.CacheResult, start);
            Ascii.ToUpperInPlace(start[..count], out _);
            Sanitize(start[..count]);
            w.Advance(count);
            Raw(w, "/"u8);
        }

        Num(w, e.Status);
        Raw(w, " "u8);
        Num(w, e.Bytes);
        Raw(w, " "u8);
        Str(w, e.Method);
        Raw(w, " "u8);
        WriteUrl(w, e);
        if (e.Origin == "-")
        {
            Raw(w, " - HIER_NONE/- - ttfb="u8);
        }
        else
        {
            Raw(w, " - HIER_DIRECT/"u8);
            Str(w, e.Origin);
            Raw(w, " - ttfb="u8);
        }

        Num(w, e.TimeToFirstByteMs ?? e.DurationMs, "0.0");
        Raw(w, "ms cache_status=\""u8);
        CacheStatusToAttempts(w, e);
        Raw(w, " failure="u8);
        Str(w, OriginFailureClassifier.Describe(e.Failure));
    }

    /// <summary>The fields the Text and Squid layouts share, from the Cache-Status value to the attempt count.</summary>
    private static void CacheStatusToAttempts(IBufferWriter<byte> w, in AccessLogEntry e)
    {
        Str(w, e.CacheStatus ?? "-");
        Raw(w, "\" role="u8);
        Str(w, e.CollapsedRole);
        Raw(w, " escalated="u8);
        Str(w, e.EscalationReason ?? "-");
        Raw(w, " attempts="u8);
        Num(w, e.Attempts);
    }

    /// <summary>One JSON object with every field; absent values are null.</summary>
    private void FormatJson(in AccessLogEntry e, IBufferWriter<byte> output)
    {
        var w = _json ??= new Utf8JsonWriter(output, JsonOptions);
        w.Reset(output);
        w.WriteStartObject();
        w.WriteString("time"u8, e.Time);
        Span<byte> address = stackalloc byte[64];
        if (e.ClientAddress is { } ip && ip.TryFormat(address, out var n))
        {
            w.WriteString("client"u8, address[..n]);
        }
        else
        {
            w.WriteString("client"u8, "-"u8);
        }

        w.WriteString("method"u8, e.Method);
        _scratch.ResetWrittenCount();
        WriteUrl(_scratch, e);
        w.WriteString("url"u8, _scratch.WrittenSpan);
        _scratch.ResetWrittenCount();
        w.WriteNumber("status"u8, e.Status);
        w.WriteNumber("bytes"u8, e.Bytes);
        w.WriteNumber("duration_ms"u8, Math.Round(e.DurationMs, 3));
        w.WriteNumber("ttfb_ms"u8, Math.Round(e.TimeToFirstByteMs ?? e.DurationMs, 3));
        WriteOptional(w, "origin"u8, e.Origin == "-" ? null : e.Origin);
        w.WriteString("cache_result"u8, e.CacheResult);
        WriteOptional(w, "cache_status"u8, e.CacheStatus);
        w.WriteString("collapsed_role"u8, e.CollapsedRole);
        WriteOptional(w, "escalation_reason"u8, e.EscalationReason);
        w.WriteNumber("attempts"u8, e.Attempts);
        w.WriteString("failure"u8, OriginFailureClassifier.Describe(e.Failure));
        WriteOptional(w, "detail"u8, e.Detail);
        w.WriteEndObject();
        w.Flush();
    }

    private static void WriteOptional(Utf8JsonWriter w, ReadOnlySpan<byte> name, string? value)
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

    private static void WriteClient(IBufferWriter<byte> w, in AccessLogEntry e)
    {
        if (e.ClientAddress is { } ip)
        {
            var span = w.GetSpan(64);
            if (ip.TryFormat(span, out var n))
            {
                w.Advance(n);
                return;
            }
        }

        Raw(w, "-"u8);
    }

    /// <summary>The encoded path and query, as <c>HttpRequest.GetEncodedPathAndQuery()</c> gives it.</summary>
    private static void WriteUrl(IBufferWriter<byte> w, in AccessLogEntry e)
    {
        if (e.PathBase.HasValue)
        {
            Str(w, e.PathBase.ToUriComponent());
        }

        Str(w, e.Path.HasValue ? e.Path.ToUriComponent() : "/");
        Str(w, e.Query.Value);
    }

    private static void Raw(IBufferWriter<byte> w, ReadOnlySpan<byte> bytes) => w.Write(bytes);

    /// <summary>A string as UTF-8, control characters replaced by spaces (so a field cannot break the line).</summary>
    private static void Str(IBufferWriter<byte> w, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return;
        }

        var span = w.GetSpan(Encoding.UTF8.GetMaxByteCount(value.Length));
        var n = Encoding.UTF8.GetBytes(value, span);
        Sanitize(span[..n]);
        w.Advance(n);
    }

    private static void Sanitize(Span<byte> utf8)
    {
        for (var i = 0; i < utf8.Length; i++)
        {
            if (utf8[i] < 0x20 || utf8[i] == 0x7f)
            {
                utf8[i] = (byte)' ';
            }
        }
    }

    private static void Num<T>(IBufferWriter<byte> w, T value, string? format = null)
        where T : IUtf8SpanFormattable
    {
        var span = w.GetSpan(64);
        if (!value.TryFormat(span, out var n, format, CultureInfo.InvariantCulture))
        {
            span = w.GetSpan(512);
            value.TryFormat(span, out n, format, CultureInfo.InvariantCulture);
        }

        w.Advance(n);
    }
}
