using EdgeProxy.Configuration;
using Microsoft.Extensions.Configuration;

namespace EdgeProxy.Tests.Escalation;

public sealed class EscalationConfigValidatorTests
{
    private static Dictionary<string, string?> Valid() => new()
    {
        ["Kestrel:Endpoints:Proxy:Url"] = "http://127.0.0.1:8080",
        ["Kestrel:Endpoints:Admin:Url"] = "http://127.0.0.1:8081",
        ["ReverseProxy:Routes:r1:ClusterId"] = "p",
        ["ReverseProxy:Routes:r1:Match:Path"] = "{**all}",
        ["ReverseProxy:Clusters:p:Destinations:d1:Address"] = "http://127.0.0.1:9001/",
        ["ReverseProxy:Clusters:s:Destinations:d1:Address"] = "http://127.0.0.1:9002/",
        ["EdgeProxy:Clusters:p:Secondary"] = "s",
        ["EdgeProxy:Clusters:p:EscalateStatuses:0"] = "502",
        ["EdgeProxy:Clusters:p:EscalateOn:0"] = "refused",
        ["EdgeProxy:Clusters:p:EscalateMethods:0"] = "GET",
        ["EdgeProxy:Clusters:p:EscalateMaxBodySize"] = "1000",
        ["EdgeProxy:Clusters:p:Deadline"] = "00:00:10",
        ["EdgeProxy:Clusters:p:SecondaryTtlCap"] = "00:01:00",
        ["EdgeProxy:Clusters:p:Breaker:FailureThreshold"] = "2",
        ["EdgeProxy:Clusters:p:Breaker:BreakDuration"] = "00:00:01",
        ["EdgeProxy:OriginDefaults:Breaker:FailureRatio"] = "0.5",
        ["EdgeProxy:OriginDefaults:Breaker:MinimumThroughput"] = "20",
        ["EdgeProxy:OriginDefaults:Breaker:SamplingDuration"] = "00:00:10",
    };

    private static IReadOnlyList<string> ValidateWith(string key, string? value)
    {
        var values = Valid();
        values[key] = value;
        return EdgeProxyConfigValidator.Validate(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
    }

    [Fact]
    public void Validate_EveryEscalationKeySet_NoErrors() =>
        Assert.Empty(EdgeProxyConfigValidator.Validate(new ConfigurationBuilder().AddInMemoryCollection(Valid()).Build()));

    [Theory]
    [InlineData("EdgeProxy:Clusters:p:Secondary", "missing", "EdgeProxy:Clusters:p:Secondary: unknown cluster 'missing'")]
    [InlineData("EdgeProxy:Clusters:p:Secondary", "p", "EdgeProxy:Clusters:p:Secondary: a cluster cannot be its own secondary")]
    [InlineData("EdgeProxy:Clusters:p:EscalateStatuses:0", "200", "EdgeProxy:Clusters:p:EscalateStatuses:0: 200 is not an error status")]
    [InlineData("EdgeProxy:Clusters:p:EscalateStatuses:0", "five", "EdgeProxy:Clusters:p:EscalateStatuses:0: 'five' is not a valid Int32")]
    [InlineData("EdgeProxy:Clusters:p:EscalateOn:0", "timeout", "EdgeProxy:Clusters:p:EscalateOn:0: unknown trigger 'timeout'")]
    [InlineData("EdgeProxy:Clusters:p:EscalateMethods:0", "GE T", "EdgeProxy:Clusters:p:EscalateMethods:0: 'GE T' is not an HTTP method")]
    [InlineData("EdgeProxy:Clusters:p:EscalateMaxBodySize", "-1", "EdgeProxy:Clusters:p:EscalateMaxBodySize: must not be negative")]
    [InlineData("EdgeProxy:Clusters:p:Deadline", "00:00:00", "EdgeProxy:Clusters:p:Deadline: must be positive")]
    [InlineData("EdgeProxy:Clusters:p:SecondaryTtlCap", "-00:00:01", "EdgeProxy:Clusters:p:SecondaryTtlCap: must be positive")]
    [InlineData("EdgeProxy:Clusters:p:Breaker:FailureThreshold", "1", "EdgeProxy:Clusters:p:Breaker:FailureThreshold: must be at least 2")]
    [InlineData("EdgeProxy:Clusters:p:Breaker:BreakDuration", "00:00:00.100", "EdgeProxy:Clusters:p:Breaker:BreakDuration: must be at least 00:00:00.500")]
    [InlineData("EdgeProxy:OriginDefaults:Breaker:FailureRatio", "1.5", "EdgeProxy:OriginDefaults:Breaker:FailureRatio: must be greater than 0 and at most 1")]
    [InlineData("EdgeProxy:OriginDefaults:Breaker:MinimumThroughput", "1", "EdgeProxy:OriginDefaults:Breaker:MinimumThroughput: must be at least 2")]
    [InlineData("EdgeProxy:OriginDefaults:Breaker:SamplingDuration", "00:00:00.010", "EdgeProxy:OriginDefaults:Breaker:SamplingDuration: must be at least 00:00:00.500")]
    [InlineData("EdgeProxy:Clusters:p:Breaker:Threshold", "3", "EdgeProxy:Clusters:p:Breaker:Threshold: unknown key")]
    public void Validate_BadEscalationKey_NamesIt(string key, string value, string expected)
    {
        var error = Assert.Single(ValidateWith(key, value));
        Assert.StartsWith(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_PassiveHealthOnAClusterWithABreaker_Rejected()
    {
        var error = Assert.Single(ValidateWith("ReverseProxy:Clusters:p:HealthCheck:Passive:Enabled", "true"));
        Assert.StartsWith("ReverseProxy:Clusters:p:HealthCheck:Passive:Enabled: cluster 'p' escalates to 's' with a circuit breaker", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_PassiveHealthWithTheBreakerDisabled_Allowed()
    {
        var values = Valid();
        values["ReverseProxy:Clusters:p:HealthCheck:Passive:Enabled"] = "true";
        values["EdgeProxy:Clusters:p:Breaker:Enabled"] = "false";

        Assert.Empty(EdgeProxyConfigValidator.Validate(new ConfigurationBuilder().AddInMemoryCollection(values).Build()));
    }

    [Fact]
    public void Validate_PassiveHealthOnTheSecondary_Allowed() =>
        Assert.Empty(ValidateWith("ReverseProxy:Clusters:s:HealthCheck:Passive:Enabled", "true"));
}
