namespace EdgeProxy.Collapsing;

internal sealed partial class Fill
{
    /// <summary>Chunks of a pass-through fill that its one reader has finished with (never used for shared fills).</summary>
    private readonly Stack<byte[]> _spare = new();
    private int _released;

    /// <summary>The signal the next append completes; take it before checking <see cref="Length"/>.</summary>
    public Task Appended => Volatile.Read(ref _appended).Task;

    /// <summary>Producer side: appends origin bytes and wakes the readers. A fill nobody else may read waits for its one reader.</summary>
    public async ValueTask AppendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        while (Bounded && _length - MinPosition() > PassThroughWindow && Volatile.Read(ref _readers) > 0)
        {
            var progress = Volatile.Read(ref _progress).Task;
            if (_length - MinPosition() <= PassThroughWindow || Volatile.Read(ref _readers) == 0)
            {
                break;
            }

            await progress.WaitAsync(cancellationToken);
        }

        var span = data.Span;
        while (!span.IsEmpty)
        {
            var length = _length;
            var index = (int)(length / _chunkSize);
            var offset = (int)(length % _chunkSize);
            var chunks = _chunks;
            if (index >= chunks.Length)
            {
                var grown = new byte[]?[chunks.Length * 2];
                Array.Copy(chunks, grown, chunks.Length);
                Volatile.Write(ref _chunks, grown);
                chunks = grown;
            }

            var chunk = chunks[index] ??= Reuse() ?? new byte[_chunkSize];
            var count = Math.Min(span.Length, _chunkSize - offset);
            span[..count].CopyTo(chunk.AsSpan(offset));
            span = span[count..];
            Volatile.Write(ref _length, length + count);
        }

        if (_length > MaxObjectSize && !Oversize)
        {
            Oversize = true;
            Close();
        }

        Signal(ref _appended);
    }

    /// <summary>Reader side: the bytes available at <paramref name="position"/> (up to the end of one chunk).</summary>
    public bool TryRead(long position, out ReadOnlyMemory<byte> data)
    {
        var length = Volatile.Read(ref _length);
        if (position >= length)
        {
            data = default;
            return false;
        }

        var chunks = Volatile.Read(ref _chunks);
        var size = _chunkSize;
        var index = (int)(position / size);
        var offset = (int)(position % size);
        var chunk = chunks[index];
        if (chunk is null)
        {
            data = default;
            return false; // released: only a pass-through reader passed here, and it never reads back
        }

        data = chunk.AsMemory(offset, (int)Math.Min(size - offset, length - position));
        return true;
    }

    /// <summary>
    /// True when nobody will need the early bytes again: the response is not shared (only its starter reads
    /// it) or it outgrew the maximum object size (it will not be stored). Then chunks every reader has
    /// passed are dropped and reused, and the origin read waits while a reader is a window behind.
    /// </summary>
    private bool Bounded => Oversize || (_head.Task.IsCompletedSuccessfully && !_head.Task.Result.Shareable);

    /// <summary>Reader side: <paramref name="cursor"/> has written up to <paramref name="position"/>.</summary>
    public void Advance(ReaderCursor cursor, long position)
    {
        cursor.Position = position;
        if (!Bounded)
        {
            return;
        }

        var last = (int)(MinPosition() / _chunkSize);
        lock (_spare)
        {
            var chunks = Volatile.Read(ref _chunks);
            for (var i = _released; i < last && i < chunks.Length; i++)
            {
                if (chunks[i] is { } done)
                {
                    chunks[i] = null;
                    _spare.Push(done); // every reader has copied it out: the producer may refill it
                }
            }

            _released = Math.Max(_released, last);
        }

        Signal(ref _progress);
    }

    private long MinPosition()
    {
        lock (_lock)
        {
            var min = long.MaxValue;
            foreach (var cursor in _cursors)
            {
                min = Math.Min(min, cursor.Position);
            }

            return min == long.MaxValue ? Volatile.Read(ref _length) : min;
        }
    }

    private byte[]? Reuse()
    {
        lock (_spare)
        {
            return _spare.Count > 0 && _spare.Peek().Length == _chunkSize ? _spare.Pop() : null;
        }
    }

    /// <summary>The whole body once completed: one buffer without a copy when it arrived in one chunk.</summary>
    public ReadOnlyMemory<byte> Body()
    {
        var length = _length;
        if (length == 0)
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        if (length <= _chunkSize)
        {
            return _chunks[0].AsMemory(0, (int)length);
        }

        var body = new byte[length];
        for (long position = 0; position < length;)
        {
            TryRead(position, out var piece);
            piece.CopyTo(body.AsMemory((int)position));
            position += piece.Length;
        }

        return body;
    }
}
