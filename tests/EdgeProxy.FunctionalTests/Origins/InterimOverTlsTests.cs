using System.Net;
using System.Security.Cryptography.X509Certificates;
using EdgeProxy.FunctionalTests.Infrastructure;

namespace EdgeProxy.FunctionalTests.Origins;

/// <summary>
/// Interim responses across TLS on both sides: the origin connection is scanned after TLS (the plaintext stream),
/// and the 1xx goes to the client through the listener's TLS pipe. An HTTP/2 client gets the final response only.
/// </summary>
public sealed class InterimOverTlsTests : IAsyncLifetime
{
    private X509Certificate2 Certificate { get; set; } = null!;

    private InterimOrigin Origin { get; set; } = null!;

    private ProxyInstance Proxy { get; set; } = null!;

    public async Task InitializeAsync()
    {
        Certificate = TestCertificate.CreateSelfSigned();
        Origin = new InterimOrigin(Certificate);
        Proxy = await ProxyInstance.StartWithTlsAsync(
            ProxySettings.TwoOrigins(Origin.Address).With("ReverseProxy:Clusters:primary:HttpClient:DangerousAcceptAnyServerCertificate", "true"),
            Certificate,
            "Http1AndHttp2");
    }

    public async Task DisposeAsync()
    {
        await Proxy.DisposeAsync();
        await Origin.DisposeAsync();
        Certificate.Dispose();
    }

    [Fact]
    public async Task Rfc9110_TlsOriginAndTlsClient_103Forwarded_FinalCached()
    {
        using var client = await RawHttpConnection.ConnectAsync(Proxy.ProxyAddress, Certificate);
        var miss = await client.GetAsync("/tls/early?i=103");
        await Proxy.Logs.WaitForAsync(l => l.EventId.Id == 3001 && l.Message.Contains("/tls/early?", StringComparison.Ordinal));
        var hit = await client.GetAsync("/tls/early?i=103");

        Assert.Equal("HTTP/1.1 103 Early Hints", Assert.Single(miss.Interim).StartLine);
        Assert.Equal("</styles.css>; rel=preload; as=style", miss.Interim[0].Header("Link"));
        Assert.Equal("abcde", miss.BodyText);
        Assert.Empty(hit.Interim);
        Assert.StartsWith("edgeproxy; hit", hit.Final.Header("Cache-Status"), StringComparison.Ordinal);
        Assert.Equal("abcde", hit.BodyText);
        Assert.Equal(1, Origin.Count("/tls/early"));
    }

    [Fact]
    public async Task Rfc9110_Http2Client_GetsTheFinalResponse_ConnectionUnharmed()
    {
        var expected = Certificate.GetCertHash();
        using var handler = new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, cert, _, _) => cert is not null && cert.GetCertHash().AsSpan().SequenceEqual(expected) },
        };
        using var client = new HttpClient(handler)
        {
            BaseAddress = Proxy.ProxyAddress,
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };

        using var first = await client.GetAsync("/tls/h2?i=103&cc=private");
        using var second = await client.GetAsync("/tls/h2-other?i=102");

        Assert.Equal(HttpVersion.Version20, first.Version);
        Assert.Equal("abcde", await first.Content.ReadAsStringAsync());
        Assert.Equal("abcde", await second.Content.ReadAsStringAsync());
        Assert.DoesNotContain(Proxy.Logs.Lines, l => l.EventId.Id == 2010);
    }
}
