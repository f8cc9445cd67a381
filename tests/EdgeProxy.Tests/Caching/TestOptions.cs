using EdgeProxy.Configuration;
using Microsoft.Extensions.Options;

namespace EdgeProxy.Tests.Caching;

/// <summary>An options monitor that always returns the same value.</summary>
internal sealed class TestOptions(EdgeProxyOptions value) : IOptionsMonitor<EdgeProxyOptions>
{
    public EdgeProxyOptions CurrentValue => value;

    public EdgeProxyOptions Get(string? name) => value;

    public IDisposable? OnChange(Action<EdgeProxyOptions, string?> listener) => null;

    public static CachePolicyFixture Policy(Action<EdgeProxyOptions>? configure = null)
    {
        var options = new EdgeProxyOptions();
        configure?.Invoke(options);
        return new CachePolicyFixture(new EdgeProxy.Caching.CachePolicy(new TestOptions(options)), options);
    }
}

internal sealed record CachePolicyFixture(EdgeProxy.Caching.CachePolicy Policy, EdgeProxyOptions Options);
