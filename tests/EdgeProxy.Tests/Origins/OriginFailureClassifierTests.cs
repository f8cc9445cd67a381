using System.Net.Sockets;
using EdgeProxy.Origins;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace EdgeProxy.Tests.Origins;

public sealed class OriginFailureClassifierTests
{
    [Fact]
    public void Classify_RefusedSocket_IsConnectionRefused() =>
        Assert.Equal(OriginFailureKind.ConnectionRefused, OriginFailureClassifier.Classify(
            ForwarderError.Request, new HttpRequestException("x", new SocketException((int)SocketError.ConnectionRefused)), clientAborted: false));

    [Theory]
    [InlineData(OriginFailureKind.ConnectTimeout)]
    [InlineData(OriginFailureKind.ResponseHeaderTimeout)]
    [InlineData(OriginFailureKind.BodyIdleTimeout)]
    public void Classify_OurTimeoutAnywhereInChain_IsItsPhase(OriginFailureKind kind) =>
        Assert.Equal(kind, OriginFailureClassifier.Classify(
            ForwarderError.Request, new HttpRequestException("x", new OriginTimeoutException(kind, TimeSpan.FromSeconds(1))), clientAborted: false));

    [Fact]
    public void Classify_ResetBeforeHeaders_IsReset() =>
        Assert.Equal(OriginFailureKind.ResetBeforeHeaders, OriginFailureClassifier.Classify(
            ForwarderError.Request, new HttpRequestException("x", new IOException("reset", new SocketException((int)SocketError.ConnectionReset))), clientAborted: false));

    [Fact]
    public void Classify_BodyFailureFromOrigin_IsBodyReset() =>
        Assert.Equal(OriginFailureKind.BodyReset, OriginFailureClassifier.Classify(ForwarderError.ResponseBodyDestination, new IOException("eof"), clientAborted: false));

    [Fact]
    public void Classify_ClientGone_IsClientAborted() =>
        Assert.Equal(OriginFailureKind.ClientAborted, OriginFailureClassifier.Classify(ForwarderError.ResponseBodyClient, new IOException("gone"), clientAborted: true));

    [Theory]
    [InlineData(OriginFailureKind.ConnectionRefused, 502)]
    [InlineData(OriginFailureKind.ResetBeforeHeaders, 502)]
    [InlineData(OriginFailureKind.ConnectTimeout, 504)]
    [InlineData(OriginFailureKind.ResponseHeaderTimeout, 504)]
    [InlineData(OriginFailureKind.NoDestination, 503)]
    public void StatusFor_Failure_IsGatewayStatus(OriginFailureKind kind, int status) =>
        Assert.Equal(status, OriginFailureClassifier.StatusFor(kind, exception: null));

    [Fact]
    public void Classify_RequestBodyTheServerRejected_IsTheClientsFault_WithItsStatus()
    {
        var tooLarge = new AggregateException(new BadHttpRequestException("Request body too large.", StatusCodes.Status413PayloadTooLarge), new HttpRequestException("copy"));
        var kind = OriginFailureClassifier.Classify(ForwarderError.RequestBodyClient, tooLarge, clientAborted: false);

        Assert.Equal(OriginFailureKind.RequestRejected, kind);
        Assert.Equal(413, OriginFailureClassifier.StatusFor(kind, tooLarge));
        Assert.Equal(OriginFailureKind.ClientAborted, OriginFailureClassifier.Classify(ForwarderError.RequestBodyClient, tooLarge, clientAborted: true));
        Assert.Equal(OriginFailureKind.Other, OriginFailureClassifier.Classify(ForwarderError.RequestBodyClient, new IOException("x"), clientAborted: false));
    }
}
