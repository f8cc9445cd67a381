using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using EdgeProxy.Caching;

namespace EdgeProxy.Tests.Caching;

/// <summary>Stored bodies in sealed memory files: the bytes read back, the file refuses writes, dropped ones are unmapped.</summary>
public sealed class FileBackedBodyTests
{
    [Fact]
    public void TryCreate_ReadsBackTheBytes_AndTheFileIsSealedAgainstWrites()
    {
        var bytes = new byte[100 * 1024];
        new Random(7).NextBytes(bytes);

        var body = FileBackedBody.TryCreate(bytes);

        Assert.NotNull(body);
        Assert.Equal(bytes.Length, body.Length);
        Assert.True(body.Memory.Span.SequenceEqual(bytes));
        Assert.True(body.Memory.Slice(1000, 50).Span.SequenceEqual(bytes.AsSpan(1000, 50)));
        var read = new byte[4096];
        Assert.Equal(read.Length, RandomAccess.Read(body.Handle, read, 4096));
        Assert.Equal(bytes.AsSpan(4096, 4096).ToArray(), read);
        Assert.ThrowsAny<Exception>(() => RandomAccess.Write(body.Handle, new byte[] { 1 }, 0));
        Assert.Equal(bytes[0], body.Memory.Span[0]);
    }

    [Fact]
    public void TryCreate_Empty_GivesNull() => Assert.Null(FileBackedBody.TryCreate([]));

    [Fact]
    public void DroppedBody_IsFinalized_AndUnmappedOnceItsGraceHasPassed()
    {
        var dropped = CreateAndDrop(64 * 1024);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Assert.False(dropped.IsAlive, "the body was still referenced");

        // Not before its grace has passed (nothing due yet unless another test dropped one earlier); then it is unmapped.
        var later = Environment.TickCount64 + (long)FileBackedBody.UnmapGrace.TotalMilliseconds + 1;
        Assert.True(FileBackedBody.UnmapDue(later) >= 1);
    }

    [Fact]
    public void Entry_MovesItsBodyToAFileOnce_AndEveryReaderSeesTheSameBytes()
    {
        var bytes = new byte[80 * 1024];
        new Random(11).NextBytes(bytes);
        var entry = new CacheEntry
        {
            Url = "/a",
            StatusCode = 200,
            Headers = [],
            Body = bytes,
            ResponseTime = 0,
            CorrectedInitialAge = 0,
            FreshnessLifetime = TimeSpan.TicksPerMinute,
        };
        var before = entry.Body;

        Assert.False(MemoryMarshal.TryGetMemoryManager(entry.Body, out FileBackedBody? _));
        Assert.True(entry.TryClaimMoveToFile());
        Assert.False(entry.TryClaimMoveToFile());
        var file = FileBackedBody.TryCreate(entry.Body.Span)!;
        entry.MoveBodyToFile(file);

        Assert.True(MemoryMarshal.TryGetMemoryManager(entry.Body, out FileBackedBody? manager, out var start, out var length));
        Assert.Same(file, manager);
        Assert.Equal((0, bytes.Length), (start, length));
        Assert.True(entry.Body.Span.SequenceEqual(bytes));
        Assert.True(before.Span.SequenceEqual(bytes)); // a reader holding the managed bytes still reads them
        Assert.Throws<ArgumentException>(() => entry.MoveBodyToFile(FileBackedBody.TryCreate(new byte[10])!));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference CreateAndDrop(int length)
    {
        var body = FileBackedBody.TryCreate(new byte[length]);
        Assert.NotNull(body);
        return new WeakReference(body);
    }
}
