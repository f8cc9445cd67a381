using System.Globalization;
using System.Text;
using Microsoft.Net.Http.Headers;

namespace EdgeProxy.Caching;

/// <summary>
/// Byte ranges (RFC 9110 14) served from a stored full object: one range as 206 with Content-Range,
/// several as multipart/byteranges, 416 when none is satisfiable, and If-Range honoured (a strong
/// validator must match, else the whole object is sent).
/// </summary>
internal static class RangeWriter
{
    /// <summary>The satisfiable ranges (empty list: 416), or null when Range is to be ignored (bad syntax, If-Range mismatch).</summary>
    public static List<(long Start, long End)>? Plan(IHeaderDictionary request, CacheEntry entry) =>
        Plan(request, entry.Body.Length, entry.ETag, entry.LastModifiedDate);

    public static List<(long Start, long End)>? Plan(IHeaderDictionary request, long length, string? etag, DateTimeOffset? lastModified)
    {
        var ifRange = request.IfRange.ToString();
        if (ifRange.Length > 0)
        {
            var matches = ifRange.StartsWith('"') || ifRange.StartsWith("W/", StringComparison.Ordinal)
                ? etag is not null && ConditionalRequest.IsStrong(etag) && ConditionalRequest.IsStrong(ifRange) && etag == ifRange
                : lastModified is { } modified && HeaderUtilities.TryParseDate(ifRange, out var date) && date == modified;
            if (!matches)
            {
                return null;
            }
        }

        var value = request.Range.ToString().Trim();
        if (!value.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var ranges = new List<(long, long)>();
        foreach (var spec in value[6..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var dash = spec.IndexOf('-', StringComparison.Ordinal);
            if (dash < 0)
            {
                return null;
            }

            var first = spec[..dash].Trim();
            var last = spec[(dash + 1)..].Trim();
            if (first.Length == 0)
            {
                if (!long.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var suffix))
                {
                    return null;
                }

                if (suffix > 0 && length > 0)
                {
                    ranges.Add((Math.Max(0, length - suffix), length - 1));
                }

                continue;
            }

            if (!long.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var start))
            {
                return null;
            }

            var end = length - 1;
            if (last.Length > 0)
            {
                if (!long.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out end) || end < start)
                {
                    return null;
                }
            }

            if (start < length)
            {
                ranges.Add((start, Math.Min(end, length - 1)));
            }
        }

        return ranges;
    }

    public static async Task WriteAsync(HttpContext context, CacheEntry entry, List<(long Start, long End)> ranges, string ageText, string cacheStatus)
    {
        var response = context.Response;
        var headers = response.Headers;
        var length = entry.Body.Length;
        string? contentType = null;
        foreach (var header in entry.Headers)
        {
            if (header.Key.Equals(HeaderNames.ContentType, StringComparison.OrdinalIgnoreCase))
            {
                contentType = header.Value.ToString();
            }

            if (!header.Key.Equals(HeaderNames.ContentLength, StringComparison.OrdinalIgnoreCase))
            {
                headers[header.Key] = header.Value;
            }
        }

        headers.Age = ageText;
        headers.Append("Cache-Status", cacheStatus);
        if (ranges.Count == 0)
        {
            response.StatusCode = StatusCodes.Status416RangeNotSatisfiable;
            headers.ContentType = default;
            headers.ContentRange = "bytes */" + length.ToString(CultureInfo.InvariantCulture);
            response.ContentLength = 0;
            return;
        }

        response.StatusCode = StatusCodes.Status206PartialContent;
        if (ranges.Count == 1)
        {
            var (start, end) = ranges[0];
            headers.ContentRange = string.Create(CultureInfo.InvariantCulture, $"bytes {start}-{end}/{length}");
            response.ContentLength = end - start + 1;
            await response.BodyWriter.WriteAsync(entry.Body.Slice((int)start, (int)(end - start + 1)), context.RequestAborted);
            return;
        }

        var boundary = "edgeproxy-" + Guid.NewGuid().ToString("N");
        headers.ContentType = "multipart/byteranges; boundary=" + boundary;
        var parts = new List<(byte[] Head, ReadOnlyMemory<byte> Body)>(ranges.Count);
        long total = 0;
        foreach (var (start, end) in ranges)
        {
            var head = new StringBuilder().Append("\r\n--").Append(boundary).Append("\r\n");
            if (contentType is not null)
            {
                head.Append("Content-Type: ").Append(contentType).Append("\r\n");
            }

            head.Append(CultureInfo.InvariantCulture, $"Content-Range: bytes {start}-{end}/{length}\r\n\r\n");
            var bytes = Encoding.ASCII.GetBytes(head.ToString());
            var body = entry.Body.Slice((int)start, (int)(end - start + 1));
            parts.Add((bytes, body));
            total += bytes.Length + body.Length;
        }

        var tail = Encoding.ASCII.GetBytes("\r\n--" + boundary + "--\r\n");
        response.ContentLength = total + tail.Length;
        foreach (var (head, body) in parts)
        {
            await response.BodyWriter.WriteAsync(head, context.RequestAborted);
            await response.BodyWriter.WriteAsync(body, context.RequestAborted);
        }

        await response.BodyWriter.WriteAsync(tail, context.RequestAborted);
    }
}
