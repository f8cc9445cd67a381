using EdgeProxy.Collapsing;

namespace EdgeProxy.Tests.Collapsing;

/// <summary>The fill's body buffer: append-only for shared readers, bounded when nobody needs the early bytes again.</summary>
public sealed class FillTests
{
    private static Fill NewFill(long maxObjectSize = 16 * 1024 * 1024) =>
        new("k", "http://a/x", null, registered: true, new CollapsingOptions(), maxObjectSize);

    private static FillHead Head(bool shareable, long? length = null) =>
        new() { Kind = FillHeadKind.Response, StatusCode = 200, Shareable = shareable, ContentLength = length };

    private static async Task AppendAsync(Fill fill, int bytes, byte value)
    {
        var data = new byte[bytes];
        Array.Fill(data, value);
        await fill.AppendAsync(data, CancellationToken.None);
    }

    [Fact]
    public async Task SharedFill_KnownLength_OneContiguousBufferReadFromByteZeroByEveryReader()
    {
        using var fill = NewFill();
        var starter = fill.Start();
        Assert.Equal(JoinResult.Joined, fill.TryJoin(out var waiter));
        fill.PublishHead(Head(shareable: true, length: 100_000));
        await AppendAsync(fill, 60_000, 1);
        await AppendAsync(fill, 40_000, 2);

        Assert.True(fill.TryRead(0, out var first));
        Assert.Equal(100_000, first.Length); // one chunk: the stored body needs no copy
        Assert.True(fill.TryRead(99_999, out var last));
        Assert.Equal(2, last.Span[0]);
        fill.Advance(starter, 100_000);
        Assert.True(fill.TryRead(0, out _)); // shared: nothing is ever dropped
        fill.Leave(starter);
        fill.Leave(waiter);
    }

    [Fact]
    public async Task UnsharedFill_DropsPassedChunks_AndTheOriginWaitsForTheReader()
    {
        using var fill = NewFill();
        var starter = fill.Start();
        fill.PublishHead(Head(shareable: false));
        await AppendAsync(fill, Fill.PassThroughWindow + 1, 1); // the reader is now more than a window behind

        var blocked = AppendAsync(fill, 64 * 1024, 2);
        Assert.False(blocked.IsCompleted, "the origin read must wait while the reader is a window behind");

        fill.Advance(starter, Fill.PassThroughWindow);
        await blocked.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(fill.TryRead(0, out _)); // dropped: its one reader has passed it
        Assert.True(fill.TryRead(Fill.PassThroughWindow, out _));
        fill.Leave(starter);
    }

    [Fact]
    public async Task SharedFill_OutgrowingMaxObjectSize_BoundedByTheSlowestReader()
    {
        using var fill = NewFill(maxObjectSize: 256 * 1024);
        var starter = fill.Start();
        Assert.Equal(JoinResult.Joined, fill.TryJoin(out var waiter));
        fill.PublishHead(Head(shareable: true)); // no Content-Length: the size shows while streaming
        await AppendAsync(fill, 300 * 1024, 1);
        Assert.True(fill.Oversize);
        Assert.Equal(JoinResult.Closed, fill.TryJoin(out _));

        fill.Advance(starter, 300 * 1024);
        Assert.True(fill.TryRead(0, out _)); // the waiter has not passed it yet
        fill.Advance(waiter!, 200 * 1024);
        Assert.False(fill.TryRead(0, out _));
        Assert.True(fill.TryRead(200 * 1024, out _));
        fill.Leave(starter);
        fill.Leave(waiter);
    }

    [Fact]
    public void Join_Bounded_ByMaxWaiters()
    {
        using var fill = new Fill("k", "http://a/x", null, registered: true, new CollapsingOptions { MaxWaiters = 1 }, 1024);
        var starter = fill.Start();
        Assert.Equal(JoinResult.Joined, fill.TryJoin(out var waiter));
        Assert.Equal(JoinResult.Full, fill.TryJoin(out _));
        fill.Leave(waiter);
        fill.Leave(starter);
    }

    [Fact]
    public void LastReaderLeaving_UnsharedFill_Cancelled()
    {
        using var fill = NewFill();
        var starter = fill.Start();
        fill.PublishHead(Head(shareable: false));
        fill.Leave(starter);
        Assert.True(fill.Token.IsCancellationRequested);
    }

    [Fact]
    public void LastReaderLeaving_SmallSharedFill_KeepsGoing()
    {
        using var fill = NewFill();
        var starter = fill.Start();
        fill.PublishHead(Head(shareable: true, length: 1000));
        fill.Leave(starter);
        Assert.False(fill.Token.IsCancellationRequested);
    }

    [Fact]
    public void LastReaderLeaving_AbortPolicy_Cancelled()
    {
        using var fill = new Fill("k", "http://a/x", null, registered: true, new CollapsingOptions { AbandonPolicy = AbandonPolicy.Abort }, 1024);
        var starter = fill.Start();
        fill.PublishHead(Head(shareable: true, length: 10));
        fill.Leave(starter);
        Assert.True(fill.Token.IsCancellationRequested);
    }
}
