using System.Net;
using System.Text;
using System.Text.Json;
using EdgeProxy.FunctionalTests.Infrastructure;
using EdgeProxy.TestOrigin;

namespace EdgeProxy.FunctionalTests.Origins;

public sealed class ForwardingTests : ProxiedOriginTest
{
    [Fact]
    public async Task Get_ForwardsStatusHeadersAndBodyIntact()
    {
        using var response = await Proxy.Client.GetAsync("/get/a?size=3000&status=203&h.X-Custom=hello&cc=public,max-age=5&etag=%22v1%22");

        Assert.Equal(HttpStatusCode.NonAuthoritativeInformation, response.StatusCode);
        Assert.Equal("hello", response.Headers.GetValues("X-Custom").Single());
        Assert.Equal("\"v1\"", response.Headers.ETag!.Tag);
        Assert.Equal("primary", response.Headers.GetValues("X-Origin").Single());
        Assert.Equal(TestOriginServer.ExpectedBody("/get/a", 3000), await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(3000, response.Content.Headers.ContentLength);
        Assert.Equal(1, Origin.Counters.For("/get/a"));
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    [InlineData("PATCH")]
    [InlineData("PROPFIND")]
    public async Task Methods_ForwardedWithBodyAndMethod(string method)
    {
        var payload = Encoding.UTF8.GetBytes($"payload for {method}");
        using var request = new HttpRequestMessage(new HttpMethod(method), "/echo/m?echo=1&status=201") { Content = new ByteArrayContent(payload) };

        using var response = await Proxy.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var echo = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(method, echo.RootElement.GetProperty("method").GetString());
        Assert.Equal(payload.Length, echo.RootElement.GetProperty("bodyLength").GetInt64());
        Assert.Equal(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(payload)), echo.RootElement.GetProperty("bodySha256").GetString());
    }

    [Fact]
    public async Task Head_ForwardsHeadersWithoutBody()
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, "/head/a?size=1234");
        using var response = await Proxy.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1234, response.Content.Headers.ContentLength);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Get_UnreachableOrigin_Is502WithAccessLogReason()
    {
        await using var proxy = await ProxyInstance.StartAsync(ProxySettings.TwoOrigins(NetworkFaults.ClosedPort()));

        using var response = await proxy.Client.GetAsync("/refused/a");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Contains("refused", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var line = await proxy.Logs.WaitForAccessLogAsync("/refused/a");
        Assert.Equal("refused", line.Property("Failure"));
        Assert.Equal(502, line.Property("Status"));
    }

    [Fact]
    public async Task Get_SilentOrigin_Is504AfterHeaderTimeoutWithAccessLogReason()
    {
        await using var silent = new SilentListener();
        await using var proxy = await ProxyInstance.StartAsync(ProxySettings.TwoOrigins(silent.Address)
            .With("EdgeProxy:OriginDefaults:ResponseHeaderTimeout", "00:00:00.300"));

        using var response = await proxy.Client.GetAsync("/silent/a");

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.True(silent.WhenRequestReceived.IsCompleted, "the silent origin accepted and read the request");
        var line = await proxy.Logs.WaitForAccessLogAsync("/silent/a");
        Assert.Equal("header-timeout", line.Property("Failure"));
        Assert.Equal(504, line.Property("Status"));
    }
}
