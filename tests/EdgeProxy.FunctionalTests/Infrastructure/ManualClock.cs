namespace EdgeProxy.FunctionalTests.Infrastructure;

/// <summary>A clock tests move by hand (cache ages without sleeping); timers stay real.</summary>
public sealed class ManualClock : TimeProvider
{
    private long _offsetTicks;

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow().AddTicks(Volatile.Read(ref _offsetTicks));

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);
}
