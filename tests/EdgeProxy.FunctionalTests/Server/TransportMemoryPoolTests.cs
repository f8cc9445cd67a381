using System.Net;
using EdgeProxy.FunctionalTests.Infrastructure;
using EdgeProxy.Server;
using EdgeProxy.TestOrigin;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeProxy.FunctionalTests.Server;

/// <summary>Kestrel's connections are built from EdgeProxy's pool, with the configured block size, and bodies stay intact.</summary>
public sealed class TransportMemoryPoolTests
{
    [Theory]
    [InlineData(null, 64 * 1024)]
    [InlineData("4096", 4096)]
    [InlineData("131072", 131072)]
    public async Task ProxyListener_UsesTheConfiguredBlocks_AndBodiesArriveIntact(string? blockSize, int expected)
    {
        await using var origin = await TestOriginServer.StartAsync(new TestOriginOptions { Name = "primary" });
        var settings = ProxySettings.TwoOrigins(origin.BaseAddress);
        if (blockSize is not null)
        {
            settings["EdgeProxy:Transport:BlockSize"] = blockSize;
        }

        await using var proxy = await ProxyInstance.StartAsync(settings);

        var factory = Assert.IsType<TransportMemoryPoolFactory>(proxy.App.Services.GetRequiredService<IMemoryPoolFactory<byte>>());
        foreach (var path in new[] { "/pool/small?size=1000", "/pool/large?size=300000&chunks=7", "/pool/cached?size=250000&cc=max-age%3D60" })
        {
            using var direct = new HttpClient();
            var expectedBody = await direct.GetByteArrayAsync(new Uri(origin.BaseAddress, path));
            for (var i = 0; i < 2; i++)
            {
                using var response = await proxy.Client.GetAsync(path);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal(expectedBody, await response.Content.ReadAsByteArrayAsync());
            }
        }

        Assert.Equal(expected, factory.Pool.MaxBufferSize);
        Assert.True(factory.Pool.AllocatedBlocks > 0, "Kestrel rented no block from EdgeProxy's pool");
    }
}
