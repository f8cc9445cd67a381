using System.Net.Sockets;
using Yarp.ReverseProxy.Forwarder;

namespace EdgeProxy.Origins;

/// <summary>Turns a YARP <see cref="ForwarderError"/> and its exception into an <see cref="OriginFailureKind"/>.</summary>
internal static class OriginFailureClassifier
{
    public static OriginFailureKind Classify(ForwarderError error, Exception? exception, bool clientAborted)
    {
        if (error == ForwarderError.None)
        {
            return OriginFailureKind.None;
        }

        if (Find<OriginTimeoutException>(exception) is { } timeout)
        {
            return timeout.Kind;
        }

        if (error == ForwarderError.RequestBodyClient && !clientAborted && Find<BadHttpRequestException>(exception) is not null)
        {
            return OriginFailureKind.RequestRejected;
        }

        switch (error)
        {
            case ForwarderError.NoAvailableDestinations:
                return OriginFailureKind.NoDestination;
            case ForwarderError.RequestCanceled:
            case ForwarderError.RequestBodyCanceled:
            case ForwarderError.ResponseBodyCanceled:
            case ForwarderError.UpgradeRequestCanceled:
            case ForwarderError.UpgradeResponseCanceled:
            case ForwarderError.RequestBodyClient:
            case ForwarderError.ResponseBodyClient:
            case ForwarderError.UpgradeRequestClient:
            case ForwarderError.UpgradeResponseClient:
                return clientAborted ? OriginFailureKind.ClientAborted : OriginFailureKind.Other;
            case ForwarderError.ResponseBodyDestination:
            case ForwarderError.UpgradeResponseDestination:
                return OriginFailureKind.BodyReset;
            case ForwarderError.RequestTimedOut:
                // YARP's own activity timeout; without our marker we cannot tell the phase.
                return OriginFailureKind.ResponseHeaderTimeout;
        }

        if (clientAborted)
        {
            return OriginFailureKind.ClientAborted;
        }

        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is SocketException socket)
            {
                return socket.SocketErrorCode switch
                {
                    SocketError.ConnectionRefused => OriginFailureKind.ConnectionRefused,
                    SocketError.TimedOut => OriginFailureKind.ConnectTimeout,
                    _ => OriginFailureKind.ResetBeforeHeaders,
                };
            }
        }

        return exception is HttpRequestException or IOException ? OriginFailureKind.ResetBeforeHeaders : OriginFailureKind.Other;
    }

    /// <summary>The first <typeparamref name="T"/> down the inner-exception chain (an AggregateException's is its first).</summary>
    private static T? Find<T>(Exception? exception)
        where T : Exception
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is T found)
            {
                return found;
            }
        }

        return null;
    }

    /// <summary>The status a client gets for a failure that happened before its response started (<paramref name="exception"/>: the attempt's).</summary>
    public static int StatusFor(OriginFailureKind kind, Exception? exception) => kind switch
    {
        OriginFailureKind.RequestRejected => Find<BadHttpRequestException>(exception)?.StatusCode ?? StatusCodes.Status400BadRequest,
        OriginFailureKind.ConnectTimeout or OriginFailureKind.ResponseHeaderTimeout or OriginFailureKind.BodyIdleTimeout or OriginFailureKind.DeadlineExceeded => StatusCodes.Status504GatewayTimeout,
        OriginFailureKind.NoDestination => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status502BadGateway,
    };

    /// <summary>A short, stable word for logs and the access log.</summary>
    public static string Describe(OriginFailureKind kind) => kind switch
    {
        OriginFailureKind.None => "-",
        OriginFailureKind.ConnectionRefused => "refused",
        OriginFailureKind.ConnectTimeout => "connect-timeout",
        OriginFailureKind.ResponseHeaderTimeout => "header-timeout",
        OriginFailureKind.ResetBeforeHeaders => "reset-before-headers",
        OriginFailureKind.Status => "status",
        OriginFailureKind.BodyIdleTimeout => "body-idle-timeout",
        OriginFailureKind.BodyReset => "body-reset",
        OriginFailureKind.ClientAborted => "client-aborted",
        OriginFailureKind.NoDestination => "no-destination",
        OriginFailureKind.DeadlineExceeded => "deadline",
        OriginFailureKind.RequestRejected => "request-rejected",
        _ => "error",
    };
}
