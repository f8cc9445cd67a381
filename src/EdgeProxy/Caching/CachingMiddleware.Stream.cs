using EdgeProxy.Collapsing;
using EdgeProxy.Observability;
using EdgeProxy.Origins;

namespace EdgeProxy.Caching;

/// <summary>Reading a fill's body to one client: from byte 0 (or a range) as it arrives, in slices, aborting on a broken fill.</summary>
internal sealed partial class CachingMiddleware
{
    private static async Task<FillState> WaitForCompletionAsync(Fill fill, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var appended = fill.Appended;
                var state = fill.State;
                if (state != FillState.Running)
                {
                    return state;
                }

                await appended.WaitAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            return FillState.Failed; // the client left
        }
    }

    /// <summary>Walks the fill's chunks from byte 0, writing what has arrived and waiting for each append; aborts the client on a broken fill.</summary>
    private async Task StreamBodyAsync(HttpContext context, Fill fill, ReaderCursor cursor, long from = 0, long to = long.MaxValue)
    {
        var writer = context.Response.BodyWriter;
        var aborted = context.RequestAborted;
        var position = from;
        fill.Advance(cursor, from);
        try
        {
            while (position < to)
            {
                var appended = fill.Appended;
                if (fill.TryRead(position, out var data))
                {
                    if (data.Length > to - position)
                    {
                        data = data[..(int)(to - position)];
                    }

                    if (data.Length > FillWriteSlice)
                    {
                        data = data[..FillWriteSlice];
                    }

                    var result = await writer.WriteAsync(data, aborted);
                    position += data.Length;
                    fill.Advance(cursor, position);

                    if (result.IsCanceled || result.IsCompleted)
                    {
                        return;
                    }

                    if (position < to && position < fill.Length)
                    {
                        // Catching up: let the other readers (and connections) of this I/O thread have their turn before the next
                        // slice. With inline scheduling a write the socket takes completes at once, so without this one
                        // latecomer would send everything received so far before the next latecomer's head went out.
                        await Task.Yield();
                    }

                    continue;
                }

                var state = fill.State;
                if (state == FillState.Completed && position >= fill.Length)
                {
                    break;
                }

                if (state == FillState.Failed)
                {
                    if (context.Features.Get<ProxyRequestFeature>() is { } feature)
                    {
                        feature.Failure = OriginFailureKind.BodyReset;
                        feature.Detail = "fill broke mid-body";
                    }

                    context.Abort(); // never pass a truncated body off as complete
                    return;
                }

                if (state == FillState.Running)
                {
                    if (position == 0 && !context.Response.HasStarted)
                    {
                        // No body byte yet: send the head now, as the origin did, rather than with the first bytes.
                        await writer.FlushAsync(aborted);
                    }

                    await appended.WaitAsync(aborted);
                }
            }
        }
        catch (OperationCanceledException)
        {
            return;
        }
    }
}
