using System.Collections.Concurrent;
using EdgeProxy.FunctionalTests.Infrastructure;
using EdgeProxy.Observability;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeProxy.FunctionalTests.Escalation;

/// <summary>An answer from the secondary carries the cluster's TTL cap for the caching layer; the primary's does not.</summary>
public sealed class SecondaryTtlCapTests : EscalationTestBase
{
    private readonly ConcurrentDictionary<string, ProxyRequestFeature> _features = new(StringComparer.Ordinal);

    [Fact]
    public async Task Get_SecondaryAnswered_FeatureCarriesTheCap_PrimaryAnswered_NoCap()
    {
        var primary = await StartPrimaryAsync();
        primary.Intercept = static context =>
        {
            if (!context.Request.Path.StartsWithSegments("/fails", StringComparison.Ordinal))
            {
                return Task.FromResult(false);
            }

            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return Task.FromResult(true);
        };
        var proxy = await StartProxyAsync(primary.BaseAddress,
            s => s.With("EdgeProxy:Clusters:primary:SecondaryTtlCap", "00:01:30"),
            builder => builder.Services.AddSingleton<IStartupFilter>(new CaptureFeature(_features)));

        using (await proxy.Client.GetAsync("/fails/a")) { }
        using (await proxy.Client.GetAsync("/works/a")) { }

        Assert.Equal(TimeSpan.FromSeconds(90), _features["/fails/a"].CacheTtlCap);
        Assert.Equal("secondary", _features["/fails/a"].ClusterId);
        Assert.Null(_features["/works/a"].CacheTtlCap);
        Assert.Equal("primary", _features["/works/a"].ClusterId);
    }

    /// <summary>Outermost middleware that keeps each request's <see cref="ProxyRequestFeature"/> by path once the request is done.</summary>
    private sealed class CaptureFeature(ConcurrentDictionary<string, ProxyRequestFeature> features) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, inner) =>
            {
                await inner(context);
                if (context.Features.Get<ProxyRequestFeature>() is { } feature)
                {
                    features[context.Request.Path.Value!] = feature;
                }
            });
            next(app);
        };
    }
}
