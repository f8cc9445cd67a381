using EdgeProxy.Configuration;
using EdgeProxy.FunctionalTests.Infrastructure;

namespace EdgeProxy.FunctionalTests.Configuration;

public sealed class StartupValidationTests
{
    [Fact]
    public async Task Build_MalformedConfiguration_FailsNamingEveryBadKey()
    {
        var settings = ProxySettings.TwoOrigins(new Uri("http://127.0.0.1:1/"))
            .With("ReverseProxy:Routes:default:ClusterId", "nope")
            .With("ReverseProxy:Clusters:secondary:Destinations:origin1:Address", "not a url")
            .With("EdgeProxy:OriginDefaults:ConnectTimeout", "-00:00:01")
            .With("EdgeProxy:Typo", "1");

        var ex = await Assert.ThrowsAsync<EdgeProxyConfigurationException>(() => ProxyInstance.StartAsync(settings));

        Assert.Contains(ex.Errors, e => e.StartsWith("ReverseProxy:Routes:default:ClusterId", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.StartsWith("ReverseProxy:Clusters:secondary:Destinations:origin1:Address", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.StartsWith("EdgeProxy:OriginDefaults:ConnectTimeout", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.StartsWith("EdgeProxy:Typo", StringComparison.Ordinal));
        Assert.Equal(4, ex.Errors.Count);
    }

    [Fact]
    public async Task Build_ConfigurationYarpRejects_FailsWithYarpsReasons()
    {
        var settings = ProxySettings.TwoOrigins(new Uri("http://127.0.0.1:1/"))
            .With("ReverseProxy:Clusters:primary:LoadBalancingPolicy", "NoSuchPolicy")
            .With("ReverseProxy:Routes:default:Match:Methods:0", "GET")
            .With("ReverseProxy:Routes:default:Match:Methods:1", "GET");

        var ex = await Assert.ThrowsAsync<EdgeProxyConfigurationException>(() => ProxyInstance.StartAsync(settings));

        Assert.Contains(ex.Errors, e => e.Contains("NoSuchPolicy", StringComparison.Ordinal) && e.Contains("primary", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.Contains("Duplicate HTTP method 'GET'", StringComparison.Ordinal) && e.Contains("default", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Process_MalformedConfigFile_ExitsWithCode2AndMessage()
    {
        var dir = Directory.CreateTempSubdirectory("edgeproxy-config-");
        try
        {
            var file = Path.Combine(dir.FullName, "bad.json");
            await File.WriteAllTextAsync(file, """{ "EdgeProxy": { "OriginDefaults": { "BodyIdleTimeout": "soon" } } }""");

            var (exitCode, stdout, stderr) = await EdgeProxyProcess.RunToExitAsync(["--config", file]);

            Assert.Equal(2, exitCode);
            Assert.Contains("EdgeProxy:OriginDefaults:BodyIdleTimeout", stderr + stdout, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Process_ConfigFileIsNotJson_ExitsWithCode2NamingTheFile()
    {
        var dir = Directory.CreateTempSubdirectory("edgeproxy-config-");
        try
        {
            var file = Path.Combine(dir.FullName, "broken.json");
            await File.WriteAllTextAsync(file, "{ this is not json");

            var (exitCode, stdout, stderr) = await EdgeProxyProcess.RunToExitAsync(["--config", file]);

            Assert.Equal(2, exitCode);
            Assert.Contains("broken.json", stderr + stdout, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
