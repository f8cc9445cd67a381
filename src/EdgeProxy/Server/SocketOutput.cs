using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using EdgeProxy.Caching;

namespace EdgeProxy.Server;

/// <summary>
/// A cleartext connection's output written straight to its socket. What Kestrel writes is gathered in blocks of the
/// connection's memory pool (EdgeProxy's <see cref="TransportMemoryPool"/>, as Kestrel's own output pipe used) and sent by the thread that flushes, with no pipe and no send loop in between; a range of a stored
/// body's memory file reserved with <see cref="SendFile"/> goes out with <c>sendfile(2)</c> in place of the
/// bytes Kestrel advances over it. Installed by <see cref="DirectSendConnections"/>; Kestrel's own output pipe
/// stays underneath and gets whatever was not sent when the connection ends.
/// </summary>
/// <remarks>
/// Kestrel uses one writer per connection from one request at a time, so nothing here is synchronised.
/// A send that fails marks the output completed: later flushes report <see cref="FlushResult.IsCompleted"/>
/// and Kestrel ends the request, as it does when its own transport reports the socket gone.
/// </remarks>
internal sealed class SocketOutput : PipeWriter, IZeroCopyOutput
{
    /// <summary>What Kestrel writes over a reserved range lands here and is never sent; its contents do not matter.</summary>
    private static readonly byte[] Placeholder = new byte[64 * 1024];

    private readonly Socket _socket;
    private readonly PipeWriter _transportOutput;
    private readonly MemoryPool<byte> _pool;
    private readonly int _minBytes;
    private readonly ZeroCopyStatistics? _statistics;
    private readonly List<Pending> _pending = [];
    private readonly List<ArraySegment<byte>> _gather = [];
    private IMemoryOwner<byte>? _current;
    private int _used;
    private long _unflushed;
    private long _flushed;
    private Pending _reserved; // the range being advanced over, queued whole once _reservedLeft reaches 0
    private int _reservedLeft;
    private bool _completed;
    private bool _cancelRequested;

    public SocketOutput(Socket socket, PipeWriter transportOutput, MemoryPool<byte> pool, TransportOptions transport, ZeroCopyStatistics? statistics = null)
    {
        _socket = socket;
        _transportOutput = transportOutput;
        _pool = pool;
        _minBytes = transport.ZeroCopyMinBytes;
        _statistics = statistics;
    }

    public int MinBytes => _minBytes;

    public long BytesFlushed => _flushed;

    public override bool CanGetUnflushedBytes => true;

    public override long UnflushedBytes => _unflushed;

    /// <summary>Bytes advanced over the range still being reserved: written, but not going out until the range is whole.</summary>
    private long ReservedAdvanced => _reservedLeft > 0 ? _reserved.Count - _reservedLeft : 0;

    /// <inheritdoc />
    public void SendFile(FileBackedBody body, long offset, int count)
    {
        if (_reservedLeft > 0)
        {
            throw new InvalidOperationException("A reserved range is still being advanced over.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(offset + count, body.Length);
        if (count <= 0)
        {
            return;
        }

        Seal();
        _reserved = new Pending(null, 0, body, offset, count);
        _reservedLeft = count;
    }

    public override Memory<byte> GetMemory(int sizeHint = 0)
    {
        if (_reservedLeft > 0)
        {
            return sizeHint <= Placeholder.Length ? Placeholder : new byte[sizeHint];
        }

        if (_current is null || _current.Memory.Length - _used < Math.Max(sizeHint, 1))
        {
            Seal();
            _current = sizeHint <= _pool.MaxBufferSize ? _pool.Rent(sizeHint > 0 ? sizeHint : -1) : MemoryPool<byte>.Shared.Rent(sizeHint);
            _used = 0;
        }

        return _current.Memory[_used..];
    }

    public override Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

    public override void Advance(int bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        if (_reservedLeft > 0)
        {
            if (bytes > _reservedLeft)
            {
                throw new InvalidOperationException($"Advanced {bytes} bytes over a reserved range with {_reservedLeft} left.");
            }

            _reservedLeft -= bytes;
            _unflushed += bytes;
            if (_reservedLeft == 0)
            {
                _pending.Add(_reserved);
                _reserved = default;
            }

            return;
        }

        if (_current is null || bytes > _current.Memory.Length - _used)
        {
            throw new InvalidOperationException("Advanced past the memory handed out.");
        }

        _used += bytes;
        _unflushed += bytes;
    }

    public override void CancelPendingFlush() => _cancelRequested = true;

    public override async ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        if (_completed)
        {
            ReturnPending();
            return new FlushResult(isCanceled: false, isCompleted: true);
        }

        if (_cancelRequested)
        {
            _cancelRequested = false;
            return new FlushResult(isCanceled: true, isCompleted: false);
        }

        // A range still being advanced over stays behind; everything before it goes now.
        Seal();
        _flushed += _unflushed - ReservedAdvanced;
        try
        {
            for (var i = 0; i < _pending.Count;)
            {
                var end = i;
                while (end < _pending.Count && _pending[end].File is null)
                {
                    end++;
                }

                if (end > i)
                {
                    await SendBuffersAsync(i, end, moreFollows: end < _pending.Count, cancellationToken);
                }

                if (end < _pending.Count)
                {
                    await SendFileAsync(_pending[end], cancellationToken);
                    end++;
                }

                i = end;
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or IOException or OperationCanceledException)
        {
            // The peer went away or the connection was aborted under us: nothing more goes out on this socket.
            _completed = true;
            return new FlushResult(isCanceled: false, isCompleted: true);
        }
        finally
        {
            ReturnPending();
        }

        return new FlushResult(isCanceled: false, isCompleted: false);
    }

    /// <summary>Kestrel completes the connection's output when it ends: what was not sent goes to its own pipe first.</summary>
    public override void Complete(Exception? exception = null)
    {
        Detach();
        _transportOutput.Complete(exception);
    }

    /// <summary>
    /// Hands whatever was written but not flushed to Kestrel's output pipe, which sends it before the connection
    /// closes, and returns the buffers. A range still being advanced over is dropped: its response is incomplete
    /// and Kestrel aborts it. Called when the connection ends, whether or not Kestrel completed this writer.
    /// </summary>
    public void Detach()
    {
        Seal();
        if (!_completed)
        {
            foreach (var pending in _pending)
            {
                _transportOutput.Write(pending.File is { } file
                    ? file.Memory.Span.Slice((int)pending.Offset, pending.Count)
                    : pending.Buffer!.Memory.Span[..pending.Length]);
            }
        }

        _completed = true;
        _reserved = default;
        _reservedLeft = 0;
        ReturnPending();
    }

    private void Seal()
    {
        if (_current is null)
        {
            return;
        }

        if (_used > 0)
        {
            _pending.Add(new Pending(_current, _used, null, 0, 0));
        }
        else
        {
            _current.Dispose();
        }

        _current = null;
        _used = 0;
    }

    private void ReturnPending()
    {
        foreach (var pending in _pending)
        {
            pending.Buffer?.Dispose();
        }

        _pending.Clear();
        _unflushed = ReservedAdvanced;
    }

    private async ValueTask SendBuffersAsync(int start, int end, bool moreFollows, CancellationToken cancellationToken)
    {
        if (end - start == 1)
        {
            var only = _pending[start];
            var sent = 0;
            if (moreFollows)
            {
                // Headers followed by a file range: MSG_MORE lets the kernel put them in the body's first segment.
                sent = SocketSyscalls.TrySendMore(_socket, only.Buffer!.Memory.Span[..only.Length]);
            }

            if (sent < only.Length)
            {
                await _socket.SendAsync(only.Buffer!.Memory[sent..only.Length], SocketFlags.None, cancellationToken);
            }

            return;
        }

        _gather.Clear();
        for (var i = start; i < end; i++)
        {
            _gather.Add(MemoryMarshal.TryGetArray<byte>(_pending[i].Buffer!.Memory[.._pending[i].Length], out var segment)
                ? segment
                : throw new InvalidOperationException("A connection's memory pool gave a block that is not an array."));
        }

        await _socket.SendAsync(_gather, SocketFlags.None);
        _gather.Clear();
    }

    private async ValueTask SendFileAsync(Pending range, CancellationToken cancellationToken)
    {
        var file = range.File!;
        var offset = range.Offset;
        var left = (long)range.Count;
        SocketSyscalls.SendFile(_socket, file.Handle, ref offset, ref left);
        _statistics?.Record(range.Count - left, left);
        if (left > 0)
        {
            // The socket's buffer is full (a slow reader): the rest goes the ordinary way, from the file's mapping.
            await _socket.SendAsync(file.Memory.Slice((int)offset, (int)left), SocketFlags.None, cancellationToken);
        }
    }

    private readonly record struct Pending(IMemoryOwner<byte>? Buffer, int Length, FileBackedBody? File, long Offset, int Count);
}
