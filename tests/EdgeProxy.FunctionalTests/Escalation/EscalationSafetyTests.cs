using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using EdgeProxy.FunctionalTests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace EdgeProxy.FunctionalTests.Escalation;

/// <summary>Only what is safe escalates: methods, bodies, and nothing after a response byte went out.</summary>
public sealed class EscalationSafetyTests : EscalationTestBase
{
    [Fact]
    public async Task Post_Primary503_NotEscalatedByDefault()
    {
        var primary = await StartPrimaryAsync(forceStatus: 503);
        var proxy = await StartProxyAsync(primary.BaseAddress);

        using var response = await proxy.Client.PostAsync("/post/a?size=5", new StringContent("hello"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("primary", Assert.Single(response.Headers.GetValues("X-Origin")));
        Assert.Equal(1, primary.Counters.For("/post/a"));
        Assert.Equal(0, Secondary.Counters.Total);
        var line = await proxy.Logs.WaitForAccessLogAsync("/post/a");
        Assert.Equal("-", line.Property("Escalation"));
    }

    [Fact]
    public async Task Post_PrimaryRefused_NotEscalatedByDefault()
    {
        var proxy = await StartProxyAsync(NetworkFaults.ClosedPort());

        using var response = await proxy.Client.PostAsync("/post/refused", new StringContent("hello"));

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal(0, Secondary.Counters.Total);
    }

    [Fact]
    public async Task Post_MethodConfiguredAndBodySmall_BodyReplayedToSecondary()
    {
        var primary = await StartPrimaryAsync();
        primary.Intercept = static async context =>
        {
            await context.Request.Body.CopyToAsync(Stream.Null);
            context.Response.StatusCode = StatusCodes.Status502BadGateway;
            return true;
        };
        var proxy = await StartProxyAsync(primary.BaseAddress, s => s
            .With("EdgeProxy:Clusters:primary:EscalateMethods:0", "GET")
            .With("EdgeProxy:Clusters:primary:EscalateMethods:1", "POST")
            .With("EdgeProxy:Clusters:primary:EscalateMaxBodySize", "1024"));
        var payload = Encoding.UTF8.GetBytes(new string('x', 900));

        using var response = await proxy.Client.PostAsync("/post/replayed?echo=1", new ByteArrayContent(payload));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var echo = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("secondary", echo.RootElement.GetProperty("origin").GetString());
        Assert.Equal(payload.Length, echo.RootElement.GetProperty("bodyLength").GetInt64());
        Assert.Equal(Convert.ToHexString(SHA256.HashData(payload)), echo.RootElement.GetProperty("bodySha256").GetString());
        Assert.Equal(1, primary.Counters.For("/post/replayed"));
    }

    [Fact]
    public async Task Post_MethodConfiguredButBodyTooLarge_NotEscalated()
    {
        var primary = await StartPrimaryAsync(forceStatus: 503);
        var proxy = await StartProxyAsync(primary.BaseAddress, s => s
            .With("EdgeProxy:Clusters:primary:EscalateMethods:0", "POST")
            .With("EdgeProxy:Clusters:primary:EscalateMaxBodySize", "100"));

        using var response = await proxy.Client.PostAsync("/post/large?size=1", new ByteArrayContent(new byte[101]));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(0, Secondary.Counters.Total);
    }

    [Fact]
    public async Task Get_ResetAfterFirstBodyByte_NotEscalated()
    {
        var primary = await StartPrimaryAsync();
        var proxy = await StartProxyAsync(primary.BaseAddress);

        // The primary sends headers and one body byte, waits until the client has that byte, then aborts.
        using var response = await proxy.Client.GetAsync("/midbody/a?size=100000&gate_after=1&body_gate=midbody&abort_after=2", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var body = await response.Content.ReadAsStreamAsync();
        Assert.Equal(1, await body.ReadAsync(new byte[1]));
        primary.Gates.Release("midbody");

        await Assert.ThrowsAnyAsync<IOException>(async () => await body.CopyToAsync(Stream.Null));

        Assert.Equal(1, primary.Counters.For("/midbody/a"));
        Assert.Equal(0, Secondary.Counters.Total);
        var line = await proxy.Logs.WaitForAccessLogAsync("/midbody/a");
        Assert.Equal("-", line.Property("Escalation"));
    }
}
