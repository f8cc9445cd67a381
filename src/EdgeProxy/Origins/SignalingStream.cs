namespace EdgeProxy.Origins;

/// <summary>
/// An HTTP/2 origin connection's plaintext stream that tells the <see cref="HeaderClock"/> of the request being
/// written (found in the async flow) that request bytes went out. Everything else passes through. HTTP/1.x
/// connections get <see cref="InterimScanningStream"/>, which does the same and watches for 1xx responses.
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
