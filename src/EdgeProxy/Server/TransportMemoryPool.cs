using System.Buffers;
using System.Collections.Concurrent;

namespace EdgeProxy.Server;

/// <summary>
/// The memory Kestrel's connections are made of: pinned blocks of one configured size, reused through a
/// lock-free queue. A block is handed out whole and comes back when Kestrel disposes its owner; a block
/// is never returned to the queue twice and never reused while an owner holds it. <see cref="Trim"/>
/// releases blocks that stayed idle for a whole interval, so a burst does not pin its peak forever.
/// </summary>
internal sealed class TransportMemoryPool : MemoryPool<byte>
{
    private readonly ConcurrentQueue<Block> _idle = new();
    private readonly int _blockSize;
    private long _allocated;
    private long _idleCount;
    private long _lowestIdleSinceTrim;

    public TransportMemoryPool(int blockSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, TransportOptions.MinBlockSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(blockSize, TransportOptions.MaxBlockSize);
        _blockSize = blockSize;
    }

    public override int MaxBufferSize => _blockSize;

    /// <summary>Blocks in existence (rented or idle).</summary>
    public long AllocatedBlocks => Volatile.Read(ref _allocated);

    /// <summary>Blocks waiting in the pool.</summary>
    public long IdleBlocks => Volatile.Read(ref _idleCount);

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, _blockSize);
        if (_idle.TryDequeue(out var block))
        {
            var idle = Interlocked.Decrement(ref _idleCount);
            if (idle < Volatile.Read(ref _lowestIdleSinceTrim))
            {
                Volatile.Write(ref _lowestIdleSinceTrim, idle);
            }

            block.Rented = true;
            return block;
        }

        Interlocked.Increment(ref _allocated);
        Volatile.Write(ref _lowestIdleSinceTrim, 0);
        return new Block(this, GC.AllocateUninitializedArray<byte>(_blockSize, pinned: true)) { Rented = true };
    }

    /// <summary>Releases half of the blocks that stayed idle since the last call; returns how many.</summary>
    public int Trim()
    {
        var unused = Interlocked.Exchange(ref _lowestIdleSinceTrim, Volatile.Read(ref _idleCount));
        var release = (int)Math.Min(unused - (unused / 2), int.MaxValue);
        var released = 0;
        while (released < release && _idle.TryDequeue(out _))
        {
            Interlocked.Decrement(ref _idleCount);
            Interlocked.Decrement(ref _allocated);
            released++;
        }

        Volatile.Write(ref _lowestIdleSinceTrim, Volatile.Read(ref _idleCount));
        return released;
    }

    protected override void Dispose(bool disposing)
    {
        // Shared by every listener and owned by TransportMemoryPoolFactory: Kestrel disposing a listener's pool must not empty it.
    }

    private void Return(Block block)
    {
        _idle.Enqueue(block);
        Interlocked.Increment(ref _idleCount);
    }

    private sealed class Block : IMemoryOwner<byte>
    {
        private readonly TransportMemoryPool _pool;
        private readonly byte[] _array;

        public Block(TransportMemoryPool pool, byte[] array)
        {
            _pool = pool;
            _array = array;
        }

        public bool Rented { get; set; }

        public Memory<byte> Memory => _array;

        public void Dispose()
        {
            if (Rented)
            {
                Rented = false;
                _pool.Return(this);
            }
        }
    }
}
