namespace EdgeProxy.Origins;

/// <summary>Thrown inside the origin connection when one of EdgeProxy's per-phase timeouts fires.</summary>
public sealed class OriginTimeoutException : TimeoutException
{
    public OriginTimeoutException(OriginFailureKind kind, TimeSpan timeout)
        : base($"{kind} after {timeout.TotalMilliseconds:0} ms")
    {
        Kind = kind;
        Timeout = timeout;
    }

    public OriginTimeoutException()
        : this(OriginFailureKind.Other, TimeSpan.Zero)
    {
    }

    public OriginTimeoutException(string message)
        : base(message)
    {
    }

    public OriginTimeoutException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public OriginFailureKind Kind { get; }

    public TimeSpan Timeout { get; }
}
