using System.Net;
using EdgeProxy.FunctionalTests.Infrastructure;
using EdgeProxy.TestOrigin;

namespace EdgeProxy.FunctionalTests.Collapsing;

public sealed class CollapsingTests : ProxiedOriginTest
{
    [Fact]
    public async Task ColdHerd_200ConcurrentGets_OneOriginRequestAndIdenticalBodies()
    {
        const string path = "/herd/a";
        var url = path + "?size=100000&cc=max-age%3D60&gate=herd";
        using var client = Proxy.NewClient();
        var requests = Enumerable.Range(0, 200).Select(_ => client.GetByteArrayAsync(url)).ToArray();
        await Origin.Gates.WhenReceived(path);
        Origin.Gates.Release("herd");

        var bodies = await Task.WhenAll(requests);

        var expected = TestOriginServer.ExpectedBody(path, 100000);
        Assert.All(bodies, b => Assert.Equal(expected, b));
        Assert.Equal(1, Origin.Counters.For(path));
    }
}
