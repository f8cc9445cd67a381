namespace EdgeProxy.Admin;

/// <summary>Whether the node should receive traffic: false until started and again once draining.</summary>
public sealed class ReadinessState
{
    private volatile int _state; // 0 starting, 1 ready, 2 draining

    public bool IsReady => _state == 1;

    public bool IsDraining => _state == 2;

    internal void MarkReady()
    {
        Interlocked.CompareExchange(ref _state, 1, 0);
    }

    internal void MarkDraining() => _state = 2;

    public string Describe() => _state switch
    {
        0 => "starting",
        1 => "ready",
        _ => "draining",
    };
}
