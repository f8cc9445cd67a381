using EdgeProxy.Escalation;
using EdgeProxy.Origins;

namespace EdgeProxy.Tests.Escalation;

public sealed class EscalationPolicyTests
{
    [Fact]
    public void Resolve_Nothing_Set_UsesBuiltInDefaults()
    {
        var policy = EscalationPolicy.Resolve("p", new OriginOptions { Secondary = "s" }, new OriginOptions());

        Assert.Equal("s", policy.Secondary);
        Assert.Equal([500, 502, 503, 504], policy.Statuses.Order());
        Assert.Equal(4, policy.FailureTriggers.Count);
        ISet<string> methods = policy.Methods;
        Assert.Contains("GET", methods);
        Assert.Contains("head", methods); // case-insensitive
        Assert.DoesNotContain("POST", methods);
        Assert.Equal(64 * 1024, policy.MaxBodySize);
        Assert.Equal(TimeSpan.FromSeconds(60), policy.Deadline);
        Assert.Null(policy.SecondaryTtlCap);
        Assert.Equal(new ResolvedBreakerOptions(true, 1.0, 3, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(5)), policy.Breaker);
    }

    [Fact]
    public void Resolve_ClusterOverDefaults_PerKey()
    {
        var defaults = new OriginOptions
        {
            Secondary = "s",
            Deadline = TimeSpan.FromSeconds(9),
            EscalateOn = ["refused"],
            Breaker = new CircuitBreakerOptions { FailureThreshold = 5, BreakDuration = TimeSpan.FromSeconds(2) },
        };
        var cluster = new OriginOptions { EscalateStatuses = [503], Breaker = new CircuitBreakerOptions { FailureThreshold = 2 } };

        var policy = EscalationPolicy.Resolve("p", cluster, defaults);

        Assert.Equal("s", policy.Secondary);
        Assert.Equal([503], policy.Statuses);
        Assert.Equal([OriginFailureKind.ConnectionRefused], policy.FailureTriggers);
        Assert.Equal(TimeSpan.FromSeconds(9), policy.Deadline);
        Assert.Equal(2, policy.Breaker.MinimumThroughput);
        Assert.Equal(TimeSpan.FromSeconds(2), policy.Breaker.BreakDuration);
    }

    [Fact]
    public void Resolve_DefaultSecondaryOnTheSecondaryItself_DoesNotEscalate()
    {
        var policy = EscalationPolicy.Resolve("s", new OriginOptions(), new OriginOptions { Secondary = "s" });

        Assert.Null(policy.Secondary);
    }

    [Fact]
    public void Resolve_FailureRatio_SwitchesToRatioModeWithMinimumThroughput()
    {
        var policy = EscalationPolicy.Resolve("p", new OriginOptions { Breaker = new CircuitBreakerOptions { FailureRatio = 0.5, FailureThreshold = 4 } }, new OriginOptions());

        Assert.Equal(0.5, policy.Breaker.FailureRatio);
        Assert.Equal(ResolvedBreakerOptions.DefaultMinimumThroughput, policy.Breaker.MinimumThroughput);
    }
}
