using EdgeProxy.Admin;
using EdgeProxy.Configuration;
using Microsoft.Extensions.Configuration;

namespace EdgeProxy.Tests.Admin;

public sealed class AdminConfigValidatorTests
{
    [Theory]
    [InlineData("http://127.0.0.1:8081", true)]
    [InlineData("http://127.0.0.2:8081", true)]
    [InlineData("http://localhost:8081", true)]
    [InlineData("https://[::1]:8443", true)]
    [InlineData("http://0.0.0.0:8081", false)]
    [InlineData("http://[::]:8081", false)]
    [InlineData("http://*:8081", false)]
    [InlineData("http://+:8081", false)]
    [InlineData("http://10.1.2.3:8081", false)]
    [InlineData("http://edge.example.com:8081", false)]
    public void IsLoopback_KestrelUrl(string url, bool expected)
    {
        Assert.Equal(expected, AdminConfigValidator.IsLoopback(url));
    }

    [Fact]
    public void Validate_EveryAdminAndOtlpProblem_ReportedTogether()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Kestrel:Endpoints:Admin:Url"] = "http://0.0.0.0:8081",
        }).Build();
        var options = new EdgeProxyOptions();
        options.Admin.PurgeAllowedNetworks.Add("10.0.0.0/8");
        options.Admin.PurgeAllowedNetworks.Add("not-a-network");
        options.Observability.Otlp.Endpoint = "collector:4317";
        options.Observability.Otlp.Protocol = "udp";
        var errors = new List<string>();

        AdminConfigValidator.Validate(configuration, options, errors);

        Assert.Collection(
            errors,
            e => Assert.StartsWith("EdgeProxy:Admin:ApiKey: required", e, StringComparison.Ordinal),
            e => Assert.StartsWith("EdgeProxy:Observability:Otlp:Endpoint:", e, StringComparison.Ordinal),
            e => Assert.StartsWith("EdgeProxy:Observability:Otlp:Protocol:", e, StringComparison.Ordinal),
            e => Assert.StartsWith("EdgeProxy:Admin:PurgeAllowedNetworks:1:", e, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("::1", true)]
    [InlineData("::ffff:127.0.0.1", true)]
    [InlineData("10.0.0.1", false)]
    public void ClientNetworks_EmptyMeansLoopbackOnly(string address, bool allowed)
    {
        Assert.Equal(allowed, ClientNetworks.Parse([]).Contains(System.Net.IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("10.1.2.3", true)]
    [InlineData("::ffff:10.1.2.3", true)]
    [InlineData("11.0.0.1", false)]
    [InlineData("fd00::5", true)]
    [InlineData("127.0.0.1", false)]
    public void ClientNetworks_Configured_OnlyThoseNetworks(string address, bool allowed)
    {
        Assert.Equal(allowed, ClientNetworks.Parse(["10.0.0.0/8", " fd00::/8 "]).Contains(System.Net.IPAddress.Parse(address)));
    }
}
