using EdgeProxy.Server;
using Microsoft.Extensions.Configuration;

namespace EdgeProxy.Tests.Server;

public sealed class StartupWarmupSettingsTests
{
    [Fact]
    public void Settings_OneRouteToTheWarmupOrigin_LoopbackListeners_AndTheRealTransportOnly()
    {
        var real = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["EdgeProxy:Transport:InlineScheduling"] = "false",
            ["EdgeProxy:Transport:BlockSize"] = "8192",
            ["EdgeProxy:Caching:SizeLimitBytes"] = "1000",
            ["ReverseProxy:Routes:real:ClusterId"] = "real",
            ["ReverseProxy:Clusters:real:Destinations:a:Address"] = "http://10.0.0.1/",
            ["Kestrel:Endpoints:Proxy:Url"] = "http://0.0.0.0:80",
        }).Build();

        var settings = StartupWarmup.Settings(real, new Uri("http://127.0.0.1:5555/"));

        Assert.Equal("http://127.0.0.1:0", settings["Kestrel:Endpoints:Proxy:Url"]);
        Assert.Equal("http://127.0.0.1:0", settings["Kestrel:Endpoints:Admin:Url"]);
        Assert.Equal("http://127.0.0.1:5555/", settings["ReverseProxy:Clusters:warmup:Destinations:origin:Address"]);
        Assert.Equal("false", settings["EdgeProxy:Transport:InlineScheduling"]);
        Assert.Equal("8192", settings["EdgeProxy:Transport:BlockSize"]);
        Assert.Equal("false", settings["EdgeProxy:AccessLog:Enabled"]);
        Assert.DoesNotContain(settings.Keys, k => k.Contains("real", StringComparison.OrdinalIgnoreCase) || k.StartsWith("EdgeProxy:Caching", StringComparison.OrdinalIgnoreCase));
    }

    [Theory]
    [InlineData(true, 18, null, "18 requests in 412 ms")]
    [InlineData(true, 3, "timed out after 10 s", "failed after 3 requests in 412 ms (timed out after 10 s)")]
    [InlineData(false, 0, null, "off")]
    public void Result_DescribesItselfForTheStartupLine(bool ran, int requests, string? failure, string expected)
    {
        Assert.Equal(expected, new WarmupResult(ran, requests, TimeSpan.FromMilliseconds(412), failure).ToString());
    }
}
