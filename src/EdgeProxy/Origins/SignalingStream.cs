namespace EdgeProxy.Origins;

/// <summary>
/// An origin connection's stream that tells the <see cref="HeaderClock"/> of the request being written
/// (found in the async flow) that request bytes went out. Everything else passes through.
/// </summary>
internal sealed class SignalingStream : PassThroughStream
{
    public SignalingStream(Stream inner)
        : base(inner)
    {
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        HeaderClock.Current?.OnRequestWritten();
        return Inner.WriteAsync(buffer, cancellationToken);
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        HeaderClock.Current?.OnRequestWritten();
        Inner.Write(buffer);
    }
}
