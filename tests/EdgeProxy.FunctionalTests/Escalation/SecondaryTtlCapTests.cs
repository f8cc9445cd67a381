using System.Collections.Concurrent;
using EdgeProxy.FunctionalTests.Infrastructure;
using EdgeProxy.Observability;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeProxy.FunctionalTests.Escalation;

/// <summary>
/// An answer from the secondary carries the cluster's TTL cap, the escalation reason, the attempts and every
/// attempt's outcome for the caching layer already when its response starts (a cache fill builds its head
/// then); the primary's answer carries no cap.
/// </summary>
public sealed class SecondaryTtlCapTests : EscalationTestBase
{
    private readonly ConcurrentDictionary<string, (TimeSpan? Cap, string? Reason, string? Cluster, int Attempts, string? Detail)> _features = new(StringComparer.Ordinal);

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

        using (await proxy.Client.GetAsync("/fails/a?size=5000")) { }
        using (await proxy.Client.GetAsync("/works/a?size=5000")) { }

        Assert.Equal((TimeSpan.FromSeconds(90), "status-503", "secondary", 2, $"primary {primary.BaseAddress} status-503-discarded; secondary {Secondary.BaseAddress} 200"), _features["/fails/a"]);
        Assert.Null(_features["/works/a"].Cap);
        Assert.Null(_features["/works/a"].Reason);
    }

    /// <summary>Outermost middleware that records, when each response starts, what <see cref="ProxyRequestFeature"/> says by then.</summary>
    private sealed class CaptureFeature(ConcurrentDictionary<string, (TimeSpan? Cap, string? Reason, string? Cluster, int Attempts, string? Detail)> features) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, inner) =>
            {
                context.Response.OnStarting(() =>
                {
                    if (context.Features.Get<ProxyRequestFeature>() is { } feature)
                    {
                        features[context.Request.Path.Value!] = (feature.CacheTtlCap, feature.EscalationReason, feature.ClusterId, feature.Attempts, feature.Detail);
                    }

                    return Task.CompletedTask;
                });
                return inner(context);
            });
            next(app);
        };
    }
}
