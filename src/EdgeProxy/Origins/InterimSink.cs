namespace EdgeProxy.Origins;

/// <summary>
/// Where the interim (1xx) responses an origin sends before its final response go: the origin connection's
/// <see cref="InterimScanningStream"/> finds the sink of the request being written in the async flow
/// (<see cref="Current"/>, set by the layer that sends the origin request for a client) and hands it each
/// 1xx head other than 100 and 101. Null (the default) means nobody wants them: nothing is scanned.
/// </summary>
internal abstract class InterimSink
{
    private static readonly AsyncLocal<InterimSink?> CurrentSink = new();

    public static InterimSink? Current
    {
        get => CurrentSink.Value;
        set => CurrentSink.Value = value;
    }

    /// <summary>
    /// One interim response: its status and its raw head (status line and fields up to and including the empty
    /// line), valid only during the call. Called on the origin connection's read path: must not block.
    /// </summary>
    public abstract void OnInterim(int status, ReadOnlySpan<byte> head);
}
