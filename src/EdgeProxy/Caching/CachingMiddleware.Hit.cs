using System.Runtime.InteropServices;
using EdgeProxy.Server;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace EdgeProxy.Caching;

internal sealed partial class CachingMiddleware
{
    /// <summary>
    /// The hit path: stored (name, values) pairs assigned to the response headers, Age and Cache-Status
    /// from strings formatted once per entry per second, the stored body written straight to the
    /// BodyWriter. No key string, LINQ, closure or logging here.
    /// </summary>
    private Task ServeHitAsync(HttpContext context, CacheEntry entry, long age, string? cacheStatus, string result)
    {
        var node = Node;
        string ageText;
        if (cacheStatus is null)
        {
            var strings = entry.GetHitStrings(age, node);
            ageText = strings.Age;
            cacheStatus = strings.CacheStatus;
        }
        else
        {
            ageText = (age / TimeSpan.TicksPerSecond).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        Record(context, result, cacheStatus, "-");
        _metrics.Count(hit: true);
        if (_hitLane.Enabled && result == "HIT")
        {
            _hitLane.Certify(context, entry);
        }

        return WriteEntryAsync(context, entry, ageText, cacheStatus);
    }

    private Task WriteEntryAsync(HttpContext context, CacheEntry entry, string ageText, string cacheStatus)
    {
        var request = context.Request;
        var response = context.Response;
        if (entry.StatusCode == StatusCodes.Status200OK && (request.Headers.IfNoneMatch.Count > 0 || request.Headers.IfModifiedSince.Count > 0)
            && ConditionalRequest.NotModified(request.Headers, entry))
        {
            WriteNotModified(response, entry, ageText, cacheStatus);
            return Task.CompletedTask;
        }

        if (entry.StatusCode == StatusCodes.Status200OK && request.Headers.Range.Count > 0 && HttpMethods.IsGet(request.Method)
            && RangeWriter.Plan(request.Headers, entry) is { } ranges)
        {
            return RangeWriter.WriteAsync(context, entry, ranges, ageText, cacheStatus);
        }

        response.StatusCode = entry.StatusCode;
        var headers = response.Headers;
        foreach (var header in entry.Headers)
        {
            headers[header.Key] = header.Value;
        }

        headers.Age = ageText;
        headers.Append(CacheStatusHeader, cacheStatus);
        if (HttpMethods.IsHead(request.Method) || entry.Body.IsEmpty)
        {
            return Task.CompletedTask;
        }

        var body = entry.Body;
        if (context.Features.Get<IZeroCopyOutput>() is { } zeroCopy
            && (HttpProtocol.IsHttp11(request.Protocol) || HttpProtocol.IsHttp10(request.Protocol)))
        {
            if (MemoryMarshal.TryGetMemoryManager(body, out FileBackedBody? file, out var start, out var length))
            {
                return SendFileAsync(context, zeroCopy, file, start, length);
            }

            MoveLargeBodyToFileLater(entry, zeroCopy);
        }

        var write = response.BodyWriter.WriteAsync(body, context.RequestAborted);
        return write.IsCompletedSuccessfully ? Task.CompletedTask : write.AsTask();
    }

    /// <summary>
    /// The first hit on a large entry over a connection that can send without copying moves the entry's body into a
    /// sealed memory file, off the request path (a copy and a few system calls, in proportion to the body); this hit is
    /// served by copying, the next ones with sendfile. Objects never hit again (most of a churning miss load) never pay
    /// for a file. When no file can be made the body stays where it is, and is not tried again.
    /// </summary>
    internal static void MoveLargeBodyToFileLater(CacheEntry entry, IZeroCopyOutput zeroCopy)
    {
        if (entry.Body.Length >= zeroCopy.MinBytes && entry.TryClaimMoveToFile())
        {
            MoveBodyToFileLater(entry);
        }
    }

    private static void MoveBodyToFileLater(CacheEntry entry) =>
        ThreadPool.UnsafeQueueUserWorkItem(
            static e =>
            {
                if (FileBackedBody.TryCreate(e.Body.Span) is { } file)
                {
                    e.MoveBodyToFile(file);
                }
            },
            entry,
            preferLocal: false);

    /// <summary>
    /// A stored body in a memory file, over a connection that writes straight to its socket: the headers are written,
    /// the body's range is reserved on the connection, and the body writer is advanced over it without copying a byte;
    /// on flush the range goes out with sendfile(2) (<see cref="IZeroCopyOutput"/>). Content-Length framing is set
    /// explicitly so nothing (chunk sizes) is written between the advanced bytes.
    /// </summary>
    private static async Task SendFileAsync(HttpContext context, IZeroCopyOutput zeroCopy, FileBackedBody file, int start, int length)
    {
        var response = context.Response;
        response.ContentLength = length;
        await response.StartAsync(context.RequestAborted);
        var writer = response.BodyWriter;
        AdvanceOverFile(zeroCopy, writer, file, start, length);
        await writer.FlushAsync(context.RequestAborted);
    }

    /// <summary>
    /// Reserves the file's range on the connection and advances <paramref name="writer"/> over it without filling a
    /// byte: on flush the range goes out with sendfile(2) (<see cref="IZeroCopyOutput.SendFile"/>).
    /// </summary>
    internal static void AdvanceOverFile(IZeroCopyOutput zeroCopy, System.IO.Pipelines.PipeWriter writer, FileBackedBody file, int start, int length)
    {
        zeroCopy.SendFile(file, start, length);
        for (var left = length; left > 0;)
        {
            var advance = Math.Min(left, writer.GetMemory(Math.Min(left, 64 * 1024)).Length);
            writer.Advance(advance);
            left -= advance;
        }
    }

    /// <summary>RFC 9110 15.4.5: a 304 carries the fields a 200 would have that describe the representation and its caching.</summary>
    private static void WriteNotModified(HttpResponse response, CacheEntry entry, string ageText, string cacheStatus)
    {
        response.StatusCode = StatusCodes.Status304NotModified;
        var headers = response.Headers;
        foreach (var header in entry.Headers)
        {
            if (!header.Key.Equals(HeaderNames.ContentLength, StringComparison.OrdinalIgnoreCase)
                && !header.Key.Equals(HeaderNames.ContentType, StringComparison.OrdinalIgnoreCase)
                && !header.Key.Equals(HeaderNames.ContentEncoding, StringComparison.OrdinalIgnoreCase))
            {
                headers[header.Key] = header.Value;
            }
        }

        headers.Age = ageText;
        headers.Append(CacheStatusHeader, cacheStatus);
    }
}
