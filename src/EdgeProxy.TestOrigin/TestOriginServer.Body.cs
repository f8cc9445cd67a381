using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace EdgeProxy.TestOrigin;

public sealed partial class TestOriginServer
{
    /// <summary>The deterministic body the origin sends for <paramref name="path"/> and <paramref name="size"/>.</summary>
    public static byte[] ExpectedBody(string path, int size)
    {
        var body = new byte[size];
        FillBody(body, 0, PathSeed(path));
        return body;
    }

    private static int PathSeed(string path)
    {
        var seed = 17;
        foreach (var c in path)
        {
            seed = unchecked((seed * 31) + c);
        }

        return seed & 0xFF;
    }

    private static void FillBody(Span<byte> buffer, long offset, int seed)
    {
        for (var i = 0; i < buffer.Length; i++)
        {
            buffer[i] = (byte)('a' + (((offset + i) + seed) % 26));
        }
    }

    private async Task WriteBodyAsync(HttpContext context, string path, int size, IQueryCollection q, int? abortAfter, CancellationToken ct)
    {
        var chunks = Math.Max(1, Int(q, "chunks") ?? 1);
        var chunkMs = Int(q, "chunk_ms") ?? 0;
        var bodyGate = q["body_gate"].ToString();
        var gateAfter = Int(q, "gate_after") ?? 0;
        var seed = PathSeed(path);
        var pieceSize = Math.Max(1, (size + chunks - 1) / chunks);
        var buffer = new byte[Math.Min(pieceSize, 64 * 1024)];
        long sent = 0;
        var gatePassed = bodyGate.Length == 0;
        for (var piece = 0; piece < chunks && sent < size; piece++)
        {
            if (piece > 0 && chunkMs > 0)
            {
                await Task.Delay(chunkMs, ct);
            }

            var pieceEnd = Math.Min(size, sent + pieceSize);
            while (sent < pieceEnd)
            {
                var limit = pieceEnd;
                if (abortAfter is { } a && a >= sent)
                {
                    limit = Math.Min(limit, a);
                }

                if (!gatePassed && gateAfter >= sent)
                {
                    limit = Math.Min(limit, gateAfter);
                }

                var count = (int)Math.Min(buffer.Length, limit - sent);
                if (count > 0)
                {
                    FillBody(buffer.AsSpan(0, count), sent, seed);
                    await context.Response.Body.WriteAsync(buffer.AsMemory(0, count), ct);
                    sent += count;
                }

                if (abortAfter is { } abortAt && sent >= abortAt)
                {
                    await context.Response.Body.FlushAsync(ct);
                    Gates.SignalBodyProgress(path, sent);
                    context.Abort();
                    return;
                }

                if (!gatePassed && sent >= gateAfter)
                {
                    await context.Response.Body.FlushAsync(ct);
                    Gates.SignalBodyProgress(path, sent);
                    await Gates.WaitAsync(bodyGate, ct);
                    gatePassed = true;
                }
            }

            await context.Response.Body.FlushAsync(ct);
            Gates.SignalBodyProgress(path, sent);
        }
    }

    /// <summary><c>ranges=1</c>: honours <c>Range: bytes=N-</c> (guarded by If-Range on the ETag) with a 206.</summary>
    private static long? TryRangeStart(HttpRequest request, string etag, int size)
    {
        var range = request.Headers.Range.ToString();
        if (!range.StartsWith("bytes=", StringComparison.Ordinal) || !range.EndsWith('-')
            || !long.TryParse(range.AsSpan(6, range.Length - 7), NumberStyles.None, CultureInfo.InvariantCulture, out var from) || from >= size)
        {
            return null;
        }

        var ifRange = request.Headers.IfRange.ToString();
        return ifRange.Length == 0 || ifRange == etag ? from : null;
    }

    private async Task WriteRangeAsync(HttpContext context, string path, long from, int size, int n, CancellationToken ct)
    {
        var response = context.Response;
        response.StatusCode = 206;
        response.ContentType = "application/octet-stream";
        response.Headers.ContentRange = $"bytes {from}-{size - 1}/{size}";
        response.ContentLength = size - from;
        await response.StartAsync(ct);
        Gates.SignalHeadersSent(path, n);
        var buffer = new byte[64 * 1024];
        var seed = PathSeed(path);
        for (var sent = from; sent < size;)
        {
            var count = (int)Math.Min(buffer.Length, size - sent);
            FillBody(buffer.AsSpan(0, count), sent, seed);
            await response.Body.WriteAsync(buffer.AsMemory(0, count), ct);
            sent += count;
        }
    }

    private static bool IsNotModified(HttpRequest request, string etag, Microsoft.Extensions.Primitives.StringValues lastModified)
    {
        var inm = request.Headers.IfNoneMatch.ToString();
        if (inm.Length > 0)
        {
            return etag.Length > 0 && (inm == "*" || inm.Split(',').Any(t => t.Trim().TrimStart('W', '/') == etag.TrimStart('W', '/')));
        }

        var ims = request.Headers.IfModifiedSince.ToString();
        return ims.Length > 0 && lastModified.Count > 0
            && DateTimeOffset.TryParse(ims, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var since)
            && DateTimeOffset.TryParse(lastModified.ToString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var modified)
            && modified <= since;
    }
}
