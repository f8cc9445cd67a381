using System.Net;
using EdgeProxy.FunctionalTests.Infrastructure;
using EdgeProxy.TestOrigin;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EdgeProxy.FunctionalTests.Server;

/// <summary>EdgeProxy:Transport:InlineScheduling reaches Kestrel's socket transport, and the start-up line says where requests run.</summary>
public sealed class InlineSchedulingTests
{
    [Theory]
    [InlineData(null, true, "; I/O inline")]
    [InlineData("false", false, "; I/O thread pool")]
    public async Task Setting_ReachesKestrel_AndTheStartupLine(string? configured, bool expected, string line)
    {
        await using var origin = await TestOriginServer.StartAsync(new TestOriginOptions { Name = "primary" });
        var settings = ProxySettings.TwoOrigins(origin.BaseAddress);
        if (configured is not null)
        {
            settings["EdgeProxy:Transport:InlineScheduling"] = configured;
        }

        await using var proxy = await ProxyInstance.StartAsync(settings);

        Assert.Equal(expected, proxy.App.Services.GetRequiredService<IOptions<SocketTransportOptions>>().Value.UnsafePreferInlineScheduling);
        var started = await proxy.Logs.WaitForAsync(l => l.EventId.Id == 5002);
        Assert.Contains(line, started.Message, StringComparison.Ordinal);

        // 20 clients on one cold key (one collapsed fill, bodies streamed from it), then a hit, on this scheduling.
        const string path = "/inline/fill?size=300000&chunks=6&gate=inline&cc=max-age%3D60";
        var expectedBody = TestOriginServer.ExpectedBody("/inline/fill", 300000);
        var sending = Enumerable.Range(0, 20).Select(_ => proxy.Client.GetAsync(path)).ToList();
        await origin.Gates.WhenReceived("/inline/fill").WaitAsync(TimeSpan.FromSeconds(30));
        origin.Gates.Release("inline");
        var responses = await Task.WhenAll(sending);
        foreach (var response in responses)
        {
            using (response)
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal(expectedBody, await response.Content.ReadAsByteArrayAsync());
            }
        }

        using var hit = await proxy.Client.GetAsync(path);
        Assert.Equal(expectedBody, await hit.Content.ReadAsByteArrayAsync());
        Assert.StartsWith("edgeproxy; hit", hit.CacheStatus(), StringComparison.Ordinal);
        Assert.Equal(1, origin.Counters.For("/inline/fill"));
    }
}
