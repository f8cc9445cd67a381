using EdgeProxy.Collapsing;

namespace EdgeProxy.Tests.Collapsing;

/// <summary>
/// Registering a new fill against a fill that just finished: a fill stores its entry, then leaves the registry, so a
/// request that missed the store before that and wins the registry slot after it must find the entry, not fetch again.
/// </summary>
public sealed class FillRegisterTests
{
    private static Fill NewFill() => new("k", "http://a/x", null, registered: true, new CollapsingOptions(), 1024);

    [Fact]
    public void Register_Wins_StoreStillEmpty_StaysRegisteredAndJoinable()
    {
        var registry = new FillRegistry(TimeProvider.System);
        using var fill = NewFill();

        Assert.Same(fill, fill.Register(registry, static () => false, out var stored));

        Assert.False(stored);
        Assert.True(registry.TryGet("k", out var held));
        Assert.Same(fill, held);
        fill.Start();
        Assert.Equal(JoinResult.Joined, fill.TryJoin(out _));
    }

    [Fact]
    public void Register_Wins_ButTheKeyWasStoredMeanwhile_LeavesTheRegistryClosed()
    {
        var registry = new FillRegistry(TimeProvider.System);
        using var fill = NewFill();

        Assert.Same(fill, fill.Register(registry, static () => true, out var stored));

        Assert.True(stored);
        Assert.False(registry.TryGet("k", out _));
        Assert.Equal(JoinResult.Closed, fill.TryJoin(out var cursor)); // the caller's Closed path looks at the store again
        Assert.Null(cursor);
    }

    [Fact]
    public void Register_AnotherFillHoldsTheKey_ReturnsItWithoutAskingTheStore()
    {
        var registry = new FillRegistry(TimeProvider.System);
        using var running = NewFill();
        registry.GetOrAdd(running);
        using var fill = NewFill();
        var asked = false;

        Assert.Same(running, fill.Register(registry, () => asked = true, out var stored));

        Assert.False(stored);
        Assert.False(asked);
    }
}
