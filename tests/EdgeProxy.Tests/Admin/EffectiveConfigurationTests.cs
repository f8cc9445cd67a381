using System.Text.Json;
using EdgeProxy.Admin;
using Microsoft.Extensions.Configuration;

namespace EdgeProxy.Tests.Admin;

public sealed class EffectiveConfigurationTests
{
    [Fact]
    public void Write_MasksSecretsKeepsArraysAndSkipsOtherSections()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["EdgeProxy:Admin:ApiKey"] = "0123456789abcdef0123",
            ["EdgeProxy:Admin:PurgeAllowedNetworks:0"] = "10.0.0.0/8",
            ["EdgeProxy:Admin:PurgeAllowedNetworks:1"] = "fd00::/8",
            ["EdgeProxy:Observability:Otlp:Headers"] = "x-token=secret",
            ["Kestrel:Endpoints:Proxy:Certificate:Path"] = "/certs/edge.pfx",
            ["Kestrel:Endpoints:Proxy:Certificate:Password"] = "pfx-secret",
            ["ReverseProxy:Clusters:primary:Destinations:origin1:Address"] = "http://10.0.0.5/",
            ["PATH"] = "/usr/bin",
            ["AWS_SECRET_ACCESS_KEY"] = "leak",
        }).Build();

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            EffectiveConfiguration.Write(writer, configuration);
        }

        var text = System.Text.Encoding.UTF8.GetString(buffer.ToArray());
        Assert.DoesNotContain("0123456789abcdef0123", text, StringComparison.Ordinal);
        Assert.DoesNotContain("pfx-secret", text, StringComparison.Ordinal);
        Assert.DoesNotContain("x-token", text, StringComparison.Ordinal);
        Assert.DoesNotContain("leak", text, StringComparison.Ordinal);
        Assert.DoesNotContain("/usr/bin", text, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(text);
        var edge = json.RootElement.GetProperty("EdgeProxy");
        Assert.Equal("***", edge.GetProperty("Admin").GetProperty("ApiKey").GetString());
        Assert.Equal(["10.0.0.0/8", "fd00::/8"], edge.GetProperty("Admin").GetProperty("PurgeAllowedNetworks").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("/certs/edge.pfx", json.RootElement.GetProperty("Kestrel").GetProperty("Endpoints").GetProperty("Proxy").GetProperty("Certificate").GetProperty("Path").GetString());
    }
}
