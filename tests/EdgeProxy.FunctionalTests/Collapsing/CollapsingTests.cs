using System.Net;
using EdgeProxy.Collapsing;
using EdgeProxy.FunctionalTests.Infrastructure;
using EdgeProxy.TestOrigin;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeProxy.FunctionalTests.Collapsing;

/// <summary>Issue 4's "must show" list, ordered by origin gates (request received, headers sent, N bytes sent), never by sleeps.</summary>
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

    [Fact]
    public async Task ReadWhileWriter_20LatecomersOnSlow4MiBFetch_GetBytesBeforeTheOriginFinishes()
    {
        const string path = "/rww/big";
        const int size = 4 * 1024 * 1024;
        const int gateAfter = 1024 * 1024;
        var url = $"{path}?size={size}&cc=max-age%3D60&body_gate=rww&gate_after={gateAfter}";
        var expected = TestOriginServer.ExpectedBody(path, size);
        using var client = Proxy.NewClient();
        using var first = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
        await using var firstBody = await first.Content.ReadAsStreamAsync();
        await Origin.Gates.WhenBodyBytesSent(path, gateAfter);

        // The origin is parked after 1 MiB: every latecomer must get headers and those bytes now.
        var latecomers = await Task.WhenAll(Enumerable.Range(0, 20).Select(async _ =>
        {
            var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
            var body = await response.Content.ReadAsStreamAsync();
            var prefix = await body.ReadExactlyAsync(gateAfter);
            return (response, body, prefix);
        }));

        Assert.All(latecomers, l => Assert.Equal(expected.AsSpan(0, gateAfter).ToArray(), l.prefix));
        Assert.All(latecomers, l => Assert.Contains("collapsed", l.response.CacheStatus(), StringComparison.Ordinal));
        Assert.Equal(1, Origin.Counters.For(path));

        Origin.Gates.Release("rww");
        var firstAll = await firstBody.ReadToEndAsync();
        Assert.Equal(expected, firstAll);
        foreach (var (response, body, prefix) in latecomers)
        {
            byte[] whole = [.. prefix, .. await body.ReadToEndAsync()];
            Assert.Equal(expected, whole);
            await body.DisposeAsync();
            response.Dispose();
        }

        Assert.Equal(1, Origin.Counters.For(path));
    }

    [Fact]
    public async Task HeadersBeforeAnyBodyByte_ReachTheClientAtOnce()
    {
        const string path = "/rww/head-first";
        var url = $"{path}?size=1000&cc=max-age%3D60&body_gate=head-first&gate_after=0";
        using var client = Proxy.NewClient();

        // The origin sent its headers and holds every body byte: the client must have the headers now.
        var headers = client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
        using var response = await headers.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);

        Origin.Gates.Release("head-first");
        Assert.Equal(TestOriginServer.ExpectedBody(path, 1000), await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task StarterDisconnectsMidBody_OthersComplete_ObjectStored()
    {
        const string path = "/rww/starter-leaves";
        const int size = 2 * 1024 * 1024;
        const int gateAfter = 256 * 1024;
        var url = $"{path}?size={size}&cc=max-age%3D60&body_gate=leave&gate_after={gateAfter}";
        using var starterClient = Proxy.NewClient();
        using var otherClient = Proxy.NewClient();
        var starter = await starterClient.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
        var starterBody = await starter.Content.ReadAsStreamAsync();
        await starterBody.ReadExactlyAsync(1000);
        await Origin.Gates.WhenBodyBytesSent(path, gateAfter);
        using var other = await otherClient.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
        await using var otherBody = await other.Content.ReadAsStreamAsync();
        await otherBody.ReadExactlyAsync(gateAfter);

        starter.Dispose(); // the starting client goes away mid-body
        starterClient.Dispose();
        var starterLine = await Proxy.Logs.WaitForAccessLogAsync(path);
        Assert.Equal("writer", starterLine.Property("Role"));
        Origin.Gates.Release("leave");

        var rest = await otherBody.ReadToEndAsync();
        Assert.Equal(size - gateAfter, rest.Length);
        using var next = await Proxy.Client.GetAsync(url);
        Assert.StartsWith("edgeproxy; hit", next.CacheStatus(), StringComparison.Ordinal);
        Assert.Equal(TestOriginServer.ExpectedBody(path, size), await next.Content.ReadAsByteArrayAsync());
        Assert.Equal(1, Origin.Counters.For(path));
    }

    [Fact]
    public async Task PrivateAnswer_20Waiters_GoToOriginAllAtOnce_AndNextSkipsTheLock()
    {
        const string path = "/private/herd";
        var url = $"{path}?size=1000&cc=private";
        Origin.Intercept = async ctx =>
        {
            // The first request answers when "first" opens; every other one is held until "rest" opens,
            // so the test only gets past WhenReceived(path, 20) if the waiters went to the origin concurrently.
            var n = int.Parse(ctx.Response.Headers["X-Origin-Count"]!, System.Globalization.CultureInfo.InvariantCulture);
            await Origin.Gates.WaitAsync(n == 1 ? "first" : "rest", ctx.RequestAborted);
            return false;
        };
        using var client = Proxy.NewClient();
        var requests = Enumerable.Range(0, 20).Select(_ => client.GetAsync(url)).ToArray();
        await Origin.Gates.WhenReceived(path);
        Origin.Gates.Release("first");

        await Origin.Gates.WhenReceived(path, 20);
        Origin.Gates.Release("rest");
        var responses = await Task.WhenAll(requests);

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(20, Origin.Counters.For(path));
        using var next = await client.GetAsync(url);
        Assert.Contains("detail=hit-for-miss", next.CacheStatus(), StringComparison.Ordinal);
        Assert.Equal(21, Origin.Counters.For(path));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task OriginClosesMidBody_EveryReaderSeesIncompleteBody_NothingStored_NextRefetches()
    {
        const string path = "/abort/mid";
        const int size = 1024 * 1024;
        var url = $"{path}?size={size}&cc=max-age%3D60&body_gate=abort&gate_after=100000&abort_after=300000&abort_count=1";
        using var client = Proxy.NewClient();
        var readers = new List<(HttpResponseMessage Response, Stream Body)>();
        for (var i = 0; i < 3; i++)
        {
            var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
            var body = await response.Content.ReadAsStreamAsync();
            await body.ReadExactlyAsync(1000);
            readers.Add((response, body));
        }

        Origin.Gates.Release("abort");
        foreach (var (response, body) in readers)
        {
            await Assert.ThrowsAnyAsync<Exception>(async () => await body.ReadToEndAsync());
            response.Dispose();
        }

        Assert.Equal(1, Origin.Counters.For(path));
        using var next = await client.GetAsync(url);
        Assert.Equal(TestOriginServer.ExpectedBody(path, size), await next.Content.ReadAsByteArrayAsync());
        Assert.Contains("fwd=uri-miss", next.CacheStatus(), StringComparison.Ordinal);
        Assert.Equal(2, Origin.Counters.For(path));
    }

    [Fact]
    public async Task FillRegistry_IsEmptyAfterFillsEnd()
    {
        using var response = await Proxy.Client.GetAsync("/registry/a?size=10&cc=max-age%3D60");
        await response.Content.ReadAsByteArrayAsync();
        var line = await Proxy.Logs.WaitForAccessLogAsync("/registry/a");
        Assert.NotNull(line);
        Assert.Equal(0, Proxy.App.Services.GetRequiredService<FillRegistry>().Count);
    }
}
