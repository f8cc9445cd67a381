using System.Net;
using EdgeProxy.FunctionalTests.Infrastructure;
using EdgeProxy.Server;
using EdgeProxy.TestOrigin;
using Xunit.Abstractions;

namespace EdgeProxy.FunctionalTests.Server;

/// <summary>
/// EdgeProxy:Transport:FairTurnStreak at its most eager (1: a connection served twice in a row on an I/O thread while
/// others are active waits its turn): many kept-alive connections hitting small and zero-copy bodies, cleartext and TLS,
/// every response intact and in order, none lost while parked.
/// </summary>
public sealed class FairTurnsTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Cacheable = "cc=max-age%3D600";
    private const int Connections = 16;
    private const int RequestsEach = 40;
    private TestOriginServer _origin = null!;

    public async Task InitializeAsync() => _origin = await TestOriginServer.StartAsync(new TestOriginOptions { Name = "primary" });

    public async Task DisposeAsync() => await _origin.DisposeAsync();

    [Fact]
    public async Task KeptAliveConnections_TakingTurns_GetEveryHitIntact()
    {
        await using var proxy = await ProxyInstance.StartAsync(ProxySettings.TwoOrigins(_origin.BaseAddress)
            .With("EdgeProxy:Transport:FairTurnStreak", "1"));
        var small = $"/fair/small?size=1024&{Cacheable}";
        var large = $"/fair/large?size=200000&{Cacheable}";
        var expectedSmall = TestOriginServer.ExpectedBody("/fair/small", 1024);
        var expectedLarge = TestOriginServer.ExpectedBody("/fair/large", 200000);
        using (var warm = await RawHttpConnection.ConnectAsync(proxy.ProxyAddress))
        {
            Assert.Equal(expectedSmall, (await warm.GetAsync(small)).Body);
            Assert.Equal(expectedLarge, (await warm.GetAsync(large)).Body);
        }

        var parked = FairTurns.Parked;
        await Task.WhenAll(Enumerable.Range(0, Connections).Select(async n =>
        {
            using var connection = await RawHttpConnection.ConnectAsync(proxy.ProxyAddress);
            for (var i = 0; i < RequestsEach; i++)
            {
                var isLarge = (i + n) % 4 == 0;
                var response = await connection.GetAsync(isLarge ? large : small);
                Assert.Equal(200, response.Final.Status);
                Assert.Contains("hit", response.Final.Header("Cache-Status"), StringComparison.Ordinal);
                Assert.Equal(isLarge ? expectedLarge : expectedSmall, response.Body);
            }
        })).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(1, _origin.Counters.For("/fair/small"));
        Assert.Equal(1, _origin.Counters.For("/fair/large"));

        // Whether any connection had to wait depends on timing; the count is there to read when it matters.
        output.WriteLine($"FairTurns: {FairTurns.Parked - parked} requests parked during {Connections * RequestsEach} hits");
    }

    [Fact]
    public async Task TlsListener_ConnectionsTakingTurns_GetEveryHitIntact()
    {
        using var certificate = TestCertificate.CreateSelfSigned();
        await using var proxy = await ProxyInstance.StartWithTlsAsync(ProxySettings.TwoOrigins(_origin.BaseAddress)
            .With("EdgeProxy:Transport:FairTurnStreak", "1"), certificate);
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 8 };
        handler.SslOptions.RemoteCertificateValidationCallback = (_, presented, _, _) =>
            presented is not null && presented.GetCertHashString() == certificate.GetCertHashString();
        using var client = new HttpClient(handler) { BaseAddress = proxy.ProxyAddress };
        var path = $"/fair/tls?size=70000&{Cacheable}";
        var expected = TestOriginServer.ExpectedBody("/fair/tls", 70000);
        Assert.Equal(expected, await client.GetByteArrayAsync(path));

        await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            for (var i = 0; i < 20; i++)
            {
                using var response = await client.GetAsync(path);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal(expected, await response.Content.ReadAsByteArrayAsync());
            }
        })).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(1, _origin.Counters.For("/fair/tls"));
    }
}
