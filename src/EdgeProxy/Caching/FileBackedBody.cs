using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace EdgeProxy.Caching;

/// <summary>
/// A stored body kept in an anonymous memory file (<c>memfd_create</c>) instead of the managed heap, so that a hit
/// can hand it to the kernel with <c>sendfile(2)</c> (<see cref="Server.SocketOutput"/>) while every other reader
/// sees it as ordinary <see cref="ReadOnlyMemory{T}"/> through a read-only shared mapping. Linux only.
/// </summary>
/// <remarks>
/// Immutable once made: the file is sealed against writes, shrinking and growing, so bytes the kernel still holds
/// for a slow client's socket can never change under it. Its lifetime follows the garbage collector, like the byte
/// arrays it replaces: when no entry, request or pending send refers to it any more the file descriptor closes (its
/// <see cref="SafeFileHandle"/>) and the mapping is unmapped after <see cref="UnmapGrace"/>, which covers a copy that
/// took a span from this memory just before the last reference went. Every <see cref="CollectAfterBytes"/> of new
/// bodies a background collection is requested, so dropped bodies are found about as soon as dropped arrays were.
/// </remarks>
internal sealed unsafe partial class FileBackedBody : MemoryManager<byte>
{
    /// <summary>How long a dropped body's mapping stays before it is unmapped.</summary>
    internal static readonly TimeSpan UnmapGrace = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Bytes of new bodies after which a background collection is requested: the managed heap no longer holds the
    /// bodies, so without it the GC would run too seldom to find the dropped ones (measured: 0.5–0.7 GB of dropped
    /// bodies behind a 64 MiB cache under bench/memory-load.sh before this was added).
    /// </summary>
    internal const long CollectAfterBytes = 32L * 1024 * 1024;

    private static long s_sinceCollect;

    private static readonly ConcurrentQueue<(nint Address, int Length, long Due)> Dropped = new();
    private static readonly Timer Unmapper = new(static _ => UnmapDue(), null, Timeout.Infinite, Timeout.Infinite);
    private static int s_unmapperStarted;
    private static long s_live;

    private readonly byte* _pointer;
    private readonly int _length;

    private FileBackedBody(SafeFileHandle handle, byte* pointer, int length)
    {
        Handle = handle;
        _pointer = pointer;
        _length = length;
        Interlocked.Add(ref s_live, length);
        if (Interlocked.Add(ref s_sinceCollect, length) >= CollectAfterBytes)
        {
            Interlocked.Exchange(ref s_sinceCollect, 0);
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: false);
        }
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2015:Do not define finalizers for types derived from MemoryManager<T>",
        Justification = "The finalizer does not free the memory: it queues the mapping for unmapping after UnmapGrace, longer than any synchronous copy from a span taken before the last reference went.")]
    ~FileBackedBody()
    {
        Dropped.Enqueue(((nint)_pointer, _length, Environment.TickCount64 + (long)UnmapGrace.TotalMilliseconds));
        if (Interlocked.Exchange(ref s_unmapperStarted, 1) == 0)
        {
            Unmapper.Change(UnmapGrace, UnmapGrace);
        }
    }

    /// <summary>The sealed memory file; held open by this object.</summary>
    public SafeFileHandle Handle { get; }

    public int Length => _length;

    /// <summary>Bytes in bodies made and not yet unmapped (for metrics and tests).</summary>
    public static long LiveBytes => Interlocked.Read(ref s_live);

    /// <summary>
    /// Copies <paramref name="body"/> into a new sealed memory file; null where that cannot be done (not Linux, no
    /// file descriptors or memory left), and the caller keeps the managed bytes.
    /// </summary>
    public static FileBackedBody? TryCreate(ReadOnlySpan<byte> body)
    {
        if (!OperatingSystem.IsLinux() || body.IsEmpty)
        {
            return null;
        }

        var fd = MemfdCreate("edgeproxy-body", MfdCloexec | MfdAllowSealing);
        if (fd < 0)
        {
            return null;
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            RandomAccess.Write(handle, body, 0);
            if (Fcntl(fd, FAddSeals, FSealShrink | FSealGrow | FSealWrite) != 0)
            {
                handle.Dispose();
                return null;
            }

            var address = Mmap(0, (nuint)body.Length, ProtRead, MapShared, fd, 0);
            if (address == MapFailed)
            {
                handle.Dispose();
                return null;
            }

            return new FileBackedBody(handle, (byte*)address, body.Length);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            // Runs on a thread-pool work item (CachingMiddleware.MoveBodyToFileLater): nothing may escape; the body stays managed.
            handle.Dispose();
            return null;
        }
    }

    public override Span<byte> GetSpan() => new(_pointer, _length);

    public override MemoryHandle Pin(int elementIndex = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(elementIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(elementIndex, _length);
        return new MemoryHandle(_pointer + elementIndex, default, this);
    }

    public override void Unpin()
    {
        // Nothing to unpin: the mapping never moves. Holding the MemoryHandle keeps this object, and so the mapping, alive.
    }

    protected override void Dispose(bool disposing)
    {
        // Not disposed by callers: entries, requests and sends share it, and the finalizer releases it when none is left.
    }

    /// <summary>Unmaps dropped bodies whose grace has passed by <paramref name="now"/> (<see cref="Environment.TickCount64"/>); the timer's work.</summary>
    internal static int UnmapDue(long? now = null)
    {
        var at = now ?? Environment.TickCount64;
        var unmapped = 0;
        while (Dropped.TryPeek(out var dropped) && dropped.Due <= at && Dropped.TryDequeue(out dropped))
        {
            _ = Munmap(dropped.Address, (nuint)dropped.Length);
            Interlocked.Add(ref s_live, -dropped.Length);
            unmapped++;
        }

        return unmapped;
    }

    private const uint MfdCloexec = 0x1;
    private const uint MfdAllowSealing = 0x2;
    private const int FAddSeals = 1033;
    private const int FSealShrink = 0x2;
    private const int FSealGrow = 0x4;
    private const int FSealWrite = 0x8;
    private const int ProtRead = 0x1;
    private const int MapShared = 0x1;
    private static readonly nint MapFailed = -1;

    [LibraryImport("libc", EntryPoint = "memfd_create", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int MemfdCreate(string name, uint flags);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int command, int argument);

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    private static partial nint Mmap(nint address, nuint length, int protection, int flags, int fd, long offset);

    [LibraryImport("libc", EntryPoint = "munmap", SetLastError = true)]
    private static partial int Munmap(nint address, nuint length);
}
