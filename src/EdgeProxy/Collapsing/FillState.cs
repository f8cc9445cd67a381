namespace EdgeProxy.Collapsing;

/// <summary>How a fill ended: every reader sees which.</summary>
internal enum FillState
{
    Running,
    Completed,
    Failed,
}
