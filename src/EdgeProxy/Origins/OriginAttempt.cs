using Yarp.ReverseProxy.Forwarder;

namespace EdgeProxy.Origins;

/// <summary>The result of sending one request to one origin: an error is data, not an exception.</summary>
internal readonly record struct OriginAttempt(string ClusterId, string? Destination, ForwarderError Error, OriginFailureKind Failure, Exception? Exception)
{
    public bool Succeeded => Error == ForwarderError.None;
}
