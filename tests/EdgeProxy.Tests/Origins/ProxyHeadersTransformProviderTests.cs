using EdgeProxy.Origins;

namespace EdgeProxy.Tests.Origins;

public sealed class ProxyHeadersTransformProviderTests
{
    [Theory]
    [InlineData("HTTP/1.1", "1.1 edge")]
    [InlineData("HTTP/1.0", "1.0 edge")]
    [InlineData("HTTP/2", "2 edge")]
    [InlineData("HTTP/3", "3 edge")]
    public void ViaValue_FromRequestProtocol_UsesReceivedProtocolVersion(string protocol, string expected) =>
        Assert.Equal(expected, ProxyHeadersTransformProvider.ViaValue(protocol, "edge"));

    [Fact]
    public void ViaValue_FromResponseVersion_UsesOriginVersion()
    {
        Assert.Equal("1.1 edge", ProxyHeadersTransformProvider.ViaValue(new Version(1, 1), "edge"));
        Assert.Equal("2 edge", ProxyHeadersTransformProvider.ViaValue(new Version(2, 0), "edge"));
    }
}
