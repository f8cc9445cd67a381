using EdgeProxy.Configuration;
using Microsoft.Extensions.Configuration;

namespace EdgeProxy.Tests.Configuration;

public sealed class EdgeProxyConfigValidatorTests
{
    private static Dictionary<string, string?> Valid() => new()
    {
        ["Kestrel:Endpoints:Proxy:Url"] = "http://127.0.0.1:8080",
        ["Kestrel:Endpoints:Admin:Url"] = "http://127.0.0.1:8081",
        ["ReverseProxy:Routes:r1:ClusterId"] = "c1",
        ["ReverseProxy:Routes:r1:Match:Path"] = "{**all}",
        ["ReverseProxy:Clusters:c1:Destinations:d1:Address"] = "http://127.0.0.1:9001/",
        ["ReverseProxy:Clusters:c2:Destinations:d1:Address"] = "https://origin.example/",
        ["EdgeProxy:OriginDefaults:ConnectTimeout"] = "00:00:01",
        ["EdgeProxy:Clusters:c1:Secondary"] = "c2",
    };

    private static IReadOnlyList<string> Validate(Dictionary<string, string?> values) =>
        EdgeProxyConfigValidator.Validate(new ConfigurationBuilder().AddInMemoryCollection(values).Build());

    private static Dictionary<string, string?> With(string key, string? value)
    {
        var values = Valid();
        values[key] = value;
        return values;
    }

    [Fact]
    public void Validate_ValidConfiguration_HasNoErrors() => Assert.Empty(Validate(Valid()));

    [Fact]
    public void Validate_RouteToUnknownCluster_NamesRouteKey()
    {
        var error = Assert.Single(Validate(With("ReverseProxy:Routes:r1:ClusterId", "missing")));
        Assert.StartsWith("ReverseProxy:Routes:r1:ClusterId: unknown cluster 'missing'", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("ftp://origin/")]
    [InlineData("/relative")]
    public void Validate_BadDestinationAddress_NamesAddressKey(string address)
    {
        var error = Assert.Single(Validate(With("ReverseProxy:Clusters:c1:Destinations:d1:Address", address)));
        Assert.StartsWith("ReverseProxy:Clusters:c1:Destinations:d1:Address:", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("EdgeProxy:OriginDefaults:ConnectTimeout", "-00:00:01")]
    [InlineData("EdgeProxy:Clusters:c1:ResponseHeaderTimeout", "00:00:00")]
    [InlineData("EdgeProxy:OriginDefaults:BodyIdleTimeout", "-00:00:05")]
    [InlineData("EdgeProxy:Lifecycle:DrainTimeout", "00:00:00")]
    [InlineData("EdgeProxy:Lifecycle:DrainDelay", "-00:00:01")]
    [InlineData("EdgeProxy:AccessLog:QueueCapacity", "0")]
    [InlineData("EdgeProxy:Transport:BlockSize", "1024")]
    [InlineData("EdgeProxy:Transport:BlockSize", "2000000")]
    [InlineData("EdgeProxy:Transport:TrimInterval", "00:00:00")]
    [InlineData("EdgeProxy:Transport:ZeroCopyMinBytes", "1000")]
    [InlineData("EdgeProxy:Transport:FairTurnStreak", "-1")]
    [InlineData("EdgeProxy:Warmup:HitDuration", "-00:00:01")]
    [InlineData("EdgeProxy:Warmup:HitConnections", "0")]
    [InlineData("EdgeProxy:Warmup:HitConnections", "1025")]
    public void Validate_NonPositiveValue_NamesKey(string key, string value)
    {
        var error = Assert.Single(Validate(With(key, value)));
        Assert.StartsWith(key + ":", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_WarmupHitsAsLongAsItsTimeout_NamesKey()
    {
        var error = Assert.Single(Validate(With("EdgeProxy:Warmup:HitDuration", "00:00:10")));
        Assert.Equal("EdgeProxy:Warmup:HitDuration: must be shorter than Warmup:Timeout (00:00:10), which bounds the whole warm-up", error);
    }

    [Theory]
    [InlineData("EdgeProxy:OriginDefaults:ConnectTimeout", "soon")]
    [InlineData("EdgeProxy:AccessLog:QueueCapacity", "many")]
    [InlineData("EdgeProxy:AccessLog:Enabled", "perhaps")]
    public void Validate_UnconvertibleValue_NamesKey(string key, string value)
    {
        var error = Assert.Single(Validate(With(key, value)));
        Assert.StartsWith(key + ": '" + value + "' is not a valid", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("EdgeProxy:Typo")]
    [InlineData("EdgeProxy:OriginDefaults:ConectTimeout")]
    [InlineData("EdgeProxy:Clusters:c1:Secundary")]
    public void Validate_UnknownKey_NamesKey(string key)
    {
        var error = Assert.Single(Validate(With(key, "1")));
        Assert.Equal(key + ": unknown key", error);
    }

    [Fact]
    public void Validate_SettingsForUnknownClusterOrSecondary_NamesKeys()
    {
        var values = With("EdgeProxy:Clusters:ghost:ConnectTimeout", "00:00:01");
        values["EdgeProxy:Clusters:c1:Secondary"] = "nowhere";

        var errors = Validate(values);

        Assert.Contains(errors, e => e.StartsWith("EdgeProxy:Clusters:ghost: unknown cluster", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("EdgeProxy:Clusters:c1:Secondary: unknown cluster 'nowhere'", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_HashCookieAffinity_IsRejected()
    {
        var error = Assert.Single(Validate(With("ReverseProxy:Clusters:c1:SessionAffinity:Policy", "HashCookie")));
        Assert.StartsWith("ReverseProxy:Clusters:c1:SessionAffinity:Policy:", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_SeveralProblems_ReportsEveryOne()
    {
        var values = With("ReverseProxy:Routes:r1:ClusterId", "missing");
        values["ReverseProxy:Clusters:c1:Destinations:d1:Address"] = "nope";
        values["EdgeProxy:OriginDefaults:ConnectTimeout"] = "-00:00:01";
        values["EdgeProxy:Unknown"] = "x";
        values["Kestrel:Endpoints:Admin:Url"] = null;

        Assert.Equal(5, Validate(values).Count);
    }
}
