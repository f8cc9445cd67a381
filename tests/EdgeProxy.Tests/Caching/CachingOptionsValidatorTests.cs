using EdgeProxy.Configuration;
using Microsoft.Extensions.Configuration;

namespace EdgeProxy.Tests.Caching;

public sealed class CachingOptionsValidatorTests
{
    private static IReadOnlyList<string> Validate(string key, string value) =>
        EdgeProxyConfigValidator.Validate(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Kestrel:Endpoints:Proxy:Url"] = "http://127.0.0.1:8080",
            ["Kestrel:Endpoints:Admin:Url"] = "http://127.0.0.1:8081",
            ["ReverseProxy:Routes:r1:ClusterId"] = "c1",
            ["ReverseProxy:Routes:r1:Match:Path"] = "{**all}",
            ["ReverseProxy:Clusters:c1:Destinations:d1:Address"] = "http://127.0.0.1:9001/",
            [key] = value,
        }).Build());

    [Theory]
    [InlineData("EdgeProxy:Caching:SizeLimitBytes", "0", "EdgeProxy:Caching:SizeLimitBytes")]
    [InlineData("EdgeProxy:Caching:MaxObjectSizeBytes", "999999999999", "EdgeProxy:Caching:MaxObjectSizeBytes")]
    [InlineData("EdgeProxy:Caching:HeuristicFraction", "2", "EdgeProxy:Caching:HeuristicFraction")]
    [InlineData("EdgeProxy:Caching:Collapsing:MaxWait", "00:00:00", "EdgeProxy:Caching:Collapsing:MaxWait")]
    [InlineData("EdgeProxy:Caching:Collapsing:CompleteFraction", "1.5", "EdgeProxy:Caching:Collapsing:CompleteFraction")]
    [InlineData("EdgeProxy:Caching:Routes:nope:Enabled", "false", "EdgeProxy:Caching:Routes:nope")]
    [InlineData("EdgeProxy:Caching:Collapsing:WaitLimitAction", "Sometimes", "EdgeProxy:Caching:Collapsing:WaitLimitAction")]
    [InlineData("EdgeProxy:Caching:Unknown", "1", "EdgeProxy:Caching:Unknown: unknown key")]
    public void Validate_BadCachingSetting_NamesItsKey(string key, string value, string expected)
    {
        Assert.Contains(Validate(key, value), e => e.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_RouteOverrideForExistingRoute_Accepted() =>
        Assert.Empty(Validate("EdgeProxy:Caching:Routes:r1:SortQuery", "true"));
}
