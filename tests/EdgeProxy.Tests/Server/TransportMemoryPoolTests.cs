using System.Diagnostics.Metrics;
using EdgeProxy.Configuration;
using EdgeProxy.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace EdgeProxy.Tests.Server;

public sealed class TransportMemoryPoolTests
{
    [Fact]
    public void Rent_GivesAWholeBlockOfTheConfiguredSize()
    {
        using var pool = new TransportMemoryPool(64 * 1024);
        using var owner = pool.Rent();

        Assert.Equal(64 * 1024, owner.Memory.Length);
        Assert.Equal(64 * 1024, pool.MaxBufferSize);
        Assert.Equal(1, pool.AllocatedBlocks);
        Assert.Equal(0, pool.IdleBlocks);
    }

    [Fact]
    public void Rent_MoreThanABlock_Throws()
    {
        using var pool = new TransportMemoryPool(TransportOptions.MinBlockSize);

        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(TransportOptions.MinBlockSize + 1));
    }

    [Fact]
    public void Dispose_ReturnsTheBlock_AndTheNextRentReusesIt()
    {
        using var pool = new TransportMemoryPool(TransportOptions.MinBlockSize);
        var first = pool.Rent();
        first.Memory.Span[0] = 42;
        first.Dispose();

        Assert.Equal(1, pool.IdleBlocks);
        using var second = pool.Rent();

        Assert.Equal(42, second.Memory.Span[0]);
        Assert.Equal(1, pool.AllocatedBlocks);
        Assert.Equal(0, pool.IdleBlocks);
    }

    [Fact]
    public void Dispose_Twice_ReturnsTheBlockOnce()
    {
        using var pool = new TransportMemoryPool(TransportOptions.MinBlockSize);
        var owner = pool.Rent();
        owner.Dispose();
        owner.Dispose();

        using var a = pool.Rent();
        using var b = pool.Rent();

        Assert.Equal(2, pool.AllocatedBlocks); // the second rent had to allocate: the block was queued once
    }

    [Fact]
    public void Trim_ReleasesHalfOfTheBlocksIdleForTheWholeInterval_AndNoneInUse()
    {
        using var pool = new TransportMemoryPool(TransportOptions.MinBlockSize);
        var rented = Enumerable.Range(0, 8).Select(_ => pool.Rent()).ToList();
        foreach (var owner in rented.Take(6))
        {
            owner.Dispose();
        }

        pool.Trim(); // starts the interval: 6 idle now
        var busy = pool.Rent(); // 5 idle at the lowest point of this interval
        Assert.Equal(3, pool.Trim());
        Assert.Equal(5, pool.AllocatedBlocks); // 2 + 1 still rented, 2 idle
        Assert.Equal(2, pool.IdleBlocks);

        busy.Dispose();
        rented[6].Dispose();
        rented[7].Dispose();
        Assert.Equal(1, pool.Trim()); // the lowest idle count in this interval was 2
        Assert.Equal(2, pool.Trim()); // all 4 idle through the interval: half
        Assert.Equal(1, pool.Trim());
        Assert.Equal(1, pool.Trim()); // half of 1, rounded up
        Assert.Equal(0, pool.Trim());
        Assert.Equal(0, pool.AllocatedBlocks);
    }

    [Fact]
    public void Trim_AfterTheQueueRanDry_ReleasesNothing()
    {
        using var pool = new TransportMemoryPool(TransportOptions.MinBlockSize);
        var owner = pool.Rent();
        owner.Dispose();
        pool.Trim();
        using var a = pool.Rent();
        using var b = pool.Rent(); // had to allocate: the interval's lowest idle count is 0

        Assert.Equal(0, pool.Trim());
    }

    [Fact]
    public void Factory_GivesOnePoolToEveryListener_AndTrimsItOnTheConfiguredInterval()
    {
        var time = new FakeTimeProvider();
        var options = new EdgeProxyOptions();
        options.Transport.BlockSize = 16 * 1024;
        options.Transport.TrimInterval = TimeSpan.FromSeconds(10);
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var factory = new TransportMemoryPoolFactory(Options.Create(options), time, services.GetRequiredService<IMeterFactory>());

        var pool = factory.Create();
        Assert.Same(pool, factory.Create());
        Assert.Equal(16 * 1024, pool.MaxBufferSize);

        pool.Rent().Dispose();
        pool.Rent().Dispose();
        time.Advance(TimeSpan.FromSeconds(10)); // first look: the interval's lowest idle count starts at 0 after allocating
        time.Advance(TimeSpan.FromSeconds(10)); // 1 idle block all interval long: released
        Assert.Equal(0, factory.Pool.AllocatedBlocks);
    }
}
