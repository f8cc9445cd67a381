using EdgeProxy.Caching;

namespace EdgeProxy.Collapsing;

/// <summary>
/// One origin fetch shared by every request for a key while it runs (read-while-writer). Runs on its
/// own cancellation, not any client's. Publishes the head once (<see cref="Head"/>), then appends body
/// bytes to append-only chunks that every reader walks from byte 0 at its own pace, woken by a signal
/// per append. Chunks are never pooled: readers and the stored entry keep seeing them.
/// </summary>
internal sealed partial class Fill : IDisposable
{
    /// <summary>Unread bytes a non-shared fill may run ahead of its one reader before the origin read waits.</summary>
    internal const int PassThroughWindow = 1024 * 1024;

    private const int DefaultChunkSize = 64 * 1024;

    private readonly TaskCompletionSource<FillHead> _head = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _cts = new();
    private readonly Lock _lock = new();
    private readonly CollapsingOptions _options;
    private TaskCompletionSource _appended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _progress = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private byte[]?[] _chunks = new byte[]?[8];
    private int _chunkSize = DefaultChunkSize;
    private long _length;
    private readonly List<ReaderCursor> _cursors = [];
    private int _state;
    private int _readers;
    private int _waiters;
    private bool _closed;
    private bool _background;

    public Fill(string key, string url, CacheEntry? validating, bool registered, CollapsingOptions options, long maxObjectSize)
    {
        Key = key;
        Url = url;
        Validating = validating;
        Registered = registered;
        _options = options;
        MaxObjectSize = maxObjectSize;
    }

    /// <summary>Registry key (URL key, plus the Vary values when the URL is known to vary).</summary>
    public string Key { get; }

    public string Url { get; }

    /// <summary>The stale entry this fill revalidates (a conditional request), if any.</summary>
    public CacheEntry? Validating { get; }

    /// <summary>Whether later requests may join (false for a fill of a request with Authorization).</summary>
    public bool Registered { get; }

    public long MaxObjectSize { get; }

    public CancellationToken Token => _cts.Token;

    public Task<FillHead> Head => _head.Task;

    public FillState State => (FillState)Volatile.Read(ref _state);

    public long Length => Volatile.Read(ref _length);

    /// <summary>Joined readers other than the starter, over the fill's life.</summary>
    public int Waiters => Volatile.Read(ref _waiters);

    /// <summary>True once the body outgrew <see cref="MaxObjectSize"/>: it will not be stored.</summary>
    public bool Oversize { get; private set; }

    /// <summary>The starter's membership: counted as a reader, not as a waiter.</summary>
    public ReaderCursor Start()
    {
        lock (_lock)
        {
            _readers++;
            var cursor = new ReaderCursor();
            _cursors.Add(cursor);
            return cursor;
        }
    }

    /// <summary>A background fill (stale-while-revalidate): the starter does not read it.</summary>
    public void Detach(ReaderCursor cursor)
    {
        _background = true;
        Leave(cursor);
    }

    public JoinResult TryJoin(out ReaderCursor? cursor)
    {
        cursor = null;
        lock (_lock)
        {
            if (_closed || _state != (int)FillState.Running && _state != (int)FillState.Completed)
            {
                return JoinResult.Closed;
            }

            if (_head.Task.IsCompletedSuccessfully && !_head.Task.Result.Shareable)
            {
                return JoinResult.Closed;
            }

            if (_waiters >= _options.MaxWaiters)
            {
                return JoinResult.Full;
            }

            _readers++;
            _waiters++;
            cursor = new ReaderCursor();
            _cursors.Add(cursor);
            return JoinResult.Joined;
        }
    }

    /// <summary>
    /// Registers this new fill unless another holds its key, and returns the one that holds it. When this one wins but
    /// <paramref name="storedMeanwhile"/> says the store answers the key now (a fill finished, stored, and left the
    /// registry after the caller's lookup), it leaves the registry closed instead, and <paramref name="stored"/> is true.
    /// The lock is held throughout, so nobody joins it in between: a request that got it from the registry finds it
    /// closed and looks at the store again.
    /// </summary>
    public Fill Register(FillRegistry registry, Func<bool>? storedMeanwhile, out bool stored)
    {
        lock (_lock)
        {
            var holder = registry.GetOrAdd(this);
            stored = ReferenceEquals(holder, this) && storedMeanwhile is not null && storedMeanwhile();
            if (stored)
            {
                _closed = true;
                registry.Remove(this);
            }

            return holder;
        }
    }

    /// <summary>No more joiners (the fill failed, turned out unshareable, or was stored).</summary>
    public void Close()
    {
        lock (_lock)
        {
            _closed = true;
        }
    }

    /// <summary>A reader is done (finished or gone). When the last leaves a running fill, the abandon policy decides.</summary>
    public void Leave(ReaderCursor? cursor)
    {
        bool stop;
        lock (_lock)
        {
            _readers--;
            if (cursor is not null)
            {
                _cursors.Remove(cursor);
            }

            stop = _readers == 0 && _state == (int)FillState.Running && !WorthFinishing();
            if (_readers == 0)
            {
                _closed |= stop;
            }
        }

        if (stop)
        {
            Cancel();
        }

        Signal(ref _progress);
    }

    private bool WorthFinishing()
    {
        if (!_head.Task.IsCompletedSuccessfully)
        {
            return _background || _options.AbandonPolicy == AbandonPolicy.Complete; // the answer may well be storable
        }

        if (_options.AbandonPolicy == AbandonPolicy.Abort && !_background)
        {
            return false;
        }

        var head = _head.Task.Result;
        if (!head.Shareable || Oversize)
        {
            return false;
        }

        var expected = head.ContentLength ?? _length;
        return expected <= _options.CompleteMaxBytes || _length > expected * _options.CompleteFraction;
    }

    public void Cancel()
    {
        try
        {
            _cts.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public void PublishHead(FillHead head)
    {
        if (head.Shareable && head.ContentLength is { } length && length > 0 && length <= MaxObjectSize)
        {
            _chunkSize = (int)length; // one contiguous buffer: the stored body without a copy
        }

        _head.TrySetResult(head);
        if (!head.Shareable)
        {
            Close();
        }
    }

    /// <summary>Ends the fill: completed (whole body arrived) or failed (nothing more will come; readers must abort).</summary>
    public void Finish(FillState state)
    {
        Volatile.Write(ref _state, (int)state);
        Signal(ref _appended);
        Signal(ref _progress);
    }

    /// <summary>Releases the cancellation source once the fill has ended (readers may still be walking its chunks).</summary>
    public void Dispose() => _cts.Dispose();

    private static void Signal(ref TaskCompletionSource signal)
    {
        var previous = Interlocked.Exchange(ref signal, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        previous.TrySetResult();
    }
}

/// <summary>How far one reader has written a fill's body out; a bounded fill never drops bytes a cursor has not passed.</summary>
internal sealed class ReaderCursor
{
    private long _position;

    public long Position
    {
        get => Volatile.Read(ref _position);
        set => Volatile.Write(ref _position, value);
    }
}

internal enum JoinResult
{
    Joined,
    Closed,
    Full,
}
