namespace EdgeProxy.Origins;

/// <summary>
/// Why an origin attempt failed, by the phase it failed in. YARP folds connect and header timeouts
/// into one error (<c>RequestTimedOut</c>) and a refused connection into a generic one; escalation and
/// the access log need the phase, so EdgeProxy classifies failures itself.
/// </summary>
public enum OriginFailureKind
{
    None = 0,

    /// <summary>The TCP connection was refused (nothing listens on the port).</summary>
    ConnectionRefused,

    /// <summary>The connection was not established within the connect timeout.</summary>
    ConnectTimeout,

    /// <summary>Connected and sent the request, but no response headers came within the header timeout (a silent origin).</summary>
    ResponseHeaderTimeout,

    /// <summary>The connection was reset or closed before response headers arrived.</summary>
    ResetBeforeHeaders,

    /// <summary>The origin answered with a status the cluster treats as a failure (5xx by default).</summary>
    Status,

    /// <summary>The response body stalled longer than the body idle timeout.</summary>
    BodyIdleTimeout,

    /// <summary>The response body broke off after headers were sent (reset or premature close).</summary>
    BodyReset,

    /// <summary>The client went away; not the origin's fault.</summary>
    ClientAborted,

    /// <summary>No destination was available in the cluster.</summary>
    NoDestination,

    /// <summary>Anything else (bad request to the origin, protocol error).</summary>
    Other,

    /// <summary>
    /// The client's request body broke the server's rules while it was being sent on (larger than
    /// <c>Kestrel:Limits:MaxRequestBodySize</c>, malformed chunking, too slow): the client's fault, answered with the status
    /// Kestrel gives it (413, 400, 408), never escalated or counted against the origin.
    /// </summary>
    RequestRejected,

    /// <summary>The request's overall deadline (all attempts and the failover together) passed before response headers were accepted.</summary>
    DeadlineExceeded,
}
