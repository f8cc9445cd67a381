using EdgeProxy.FunctionalTests.Infrastructure;
using EdgeProxy.TestOrigin;

namespace EdgeProxy.FunctionalTests.Escalation;

/// <summary>A 1xx from the primary is relayed at once; when its final response then escalates, the client gets the secondary's final response after it.</summary>
public sealed class InterimEscalationTests : EscalationTestBase
{
    [Fact]
    public async Task Primary103Then503_Escalates_ClientGets103ThenTheSecondarysFinal()
    {
        var primary = Own(new InterimOrigin());
        var proxy = await StartProxyAsync(primary.Address);
        using var client = await RawHttpConnection.ConnectAsync(proxy.ProxyAddress);

        var response = await client.GetAsync("/esc/early?i=103&final=503&size=100&cc=no-store");

        Assert.Equal(103, Assert.Single(response.Interim).Status);
        Assert.Equal(200, response.Final.Status);
        Assert.Equal(TestOriginServer.ExpectedBody("/esc/early", 100), response.Body);
        Assert.Equal(1, primary.Count("/esc/early"));
        Assert.Equal(1, Secondary.Counters.For("/esc/early"));

        var next = await client.GetAsync("/esc/early?i=103&final=503&size=100&cc=no-store"); // same connection, still clean
        Assert.Equal(200, next.Final.Status);
        Assert.Equal(TestOriginServer.ExpectedBody("/esc/early", 100), next.Body);
    }
}
