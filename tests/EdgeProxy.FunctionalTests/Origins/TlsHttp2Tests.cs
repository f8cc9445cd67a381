using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using EdgeProxy.FunctionalTests.Infrastructure;
using EdgeProxy.TestOrigin;

namespace EdgeProxy.FunctionalTests.Origins;

/// <summary>
/// TLS and HTTP/2 to clients from Kestrel's endpoint configuration (certificate from a .pfx file the
/// test generates), and HTTP/2 to an origin when the cluster's <c>HttpRequest:Version</c> says so.
/// </summary>
public sealed class TlsHttp2Tests : IAsyncLifetime
{
    private const string Password = "pfx-password-for-test";
    private readonly string _pfxPath = Path.Combine(Path.GetTempPath(), $"edgeproxy-test-{Guid.NewGuid():N}.pfx");
    private X509Certificate2 _certificate = null!;
    private TestOriginServer _origin = null!;

    public async Task InitializeAsync()
    {
        _certificate = TestCertificate.CreateSelfSigned();
        await File.WriteAllBytesAsync(_pfxPath, _certificate.Export(X509ContentType.Pfx, Password));
        _origin = await TestOriginServer.StartAsync(new TestOriginOptions { Name = "primary" });
    }

    public async Task DisposeAsync()
    {
        await _origin.DisposeAsync();
        _certificate.Dispose();
        File.Delete(_pfxPath);
    }

    [Fact]
    public async Task Https_Http2Client_IsServedOverTlsAndHttp2()
    {
        await using var proxy = await ProxyInstance.StartAsync(ProxySettings.TwoOrigins(_origin.BaseAddress)
            .With("Kestrel:Endpoints:Proxy:Url", "https://127.0.0.1:0")
            .With("Kestrel:Endpoints:Proxy:Protocols", "Http1AndHttp2")
            .With("Kestrel:Endpoints:Proxy:Certificate:Path", _pfxPath)
            .With("Kestrel:Endpoints:Proxy:Certificate:Password", Password));
        Assert.Equal("https", proxy.ProxyAddress.Scheme);
        using var client = Http2Client(proxy.ProxyAddress);

        using var response = await client.GetAsync("/tls/a?size=4321");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal(TestOriginServer.ExpectedBody("/tls/a", 4321), await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(1, _origin.Counters.For("/tls/a"));

        // The certificate password is a secret: the effective configuration masks it.
        var config = await proxy.AdminClient.GetStringAsync("/admin/config");
        Assert.DoesNotContain(Password, config, StringComparison.Ordinal);
        Assert.Contains(_pfxPath.Replace("\\", "\\\\", StringComparison.Ordinal), config, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClusterHttpRequestVersion2_OriginSeesHttp2()
    {
        await using var h2Origin = await TestOriginServer.StartAsync(new TestOriginOptions { Name = "h2", Http2Only = true });
        await using var proxy = await ProxyInstance.StartAsync(ProxySettings.TwoOrigins(h2Origin.BaseAddress)
            .With("ReverseProxy:Clusters:primary:HttpRequest:Version", "2")
            .With("ReverseProxy:Clusters:primary:HttpRequest:VersionPolicy", "RequestVersionExact"));

        using var response = await proxy.Client.GetAsync("/h2/echo?echo=1");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var echo = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("HTTP/2", echo.RootElement.GetProperty("protocol").GetString());
        Assert.Equal(HttpVersion.Version11, response.Version);
    }

    private HttpClient Http2Client(Uri address)
    {
        var expected = _certificate.GetCertHash();
        var handler = new SocketsHttpHandler
        {
            SslOptions =
            {
                RemoteCertificateValidationCallback = (_, cert, _, _) => cert is not null && cert.GetCertHash().AsSpan().SequenceEqual(expected),
            },
        };
        return new HttpClient(handler)
        {
            BaseAddress = address,
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = TimeSpan.FromSeconds(30),
        };
    }
}
