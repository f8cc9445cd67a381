using EdgeProxy.FunctionalTests.Infrastructure;
using EdgeProxy.Observability;
using EdgeProxy.Origins;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Yarp.ReverseProxy;

namespace EdgeProxy.FunctionalTests.Escalation;

/// <summary>
/// The way a cache fill uses escalation: <see cref="IOriginClient"/> on a detached context of its own. When
/// the secondary's response starts (the moment a fill builds its head), the context's
/// <see cref="ProxyRequestFeature"/> already carries the TTL cap, the reason, the answering cluster, the
/// attempts and every attempt's outcome; the primary's answer carries no cap.
/// </summary>
public sealed class SecondaryTtlCapTests : EscalationTestBase
{
    [Fact]
    public async Task SendAsync_DetachedContext_SecondaryHeadCarriesCapReasonAttemptsAndDetail()
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
        var proxy = await StartProxyAsync(primary.BaseAddress, s => s.With("EdgeProxy:Clusters:primary:SecondaryTtlCap", "00:01:30"));

        var failed = await SendDetachedAsync(proxy, "/fails/a");
        var worked = await SendDetachedAsync(proxy, "/works/a");

        Assert.True(failed.Attempt.Succeeded);
        Assert.Equal("secondary", failed.Attempt.ClusterId);
        Assert.Equal((TimeSpan.FromSeconds(90), "status-503", "secondary", 2, $"primary {primary.BaseAddress} status-503-discarded; secondary {Secondary.BaseAddress} 200"), failed.AtHead);
        Assert.Equal(5000, failed.Body);
        Assert.Equal((null, null, 1), (worked.AtHead.Cap, worked.AtHead.Reason, worked.AtHead.Attempts));
        Assert.Equal(0, Secondary.Counters.For("/works/a"));
    }

    private static async Task<(OriginAttempt Attempt, (TimeSpan? Cap, string? Reason, string? Cluster, int Attempts, string? Detail) AtHead, long Body)> SendDetachedAsync(ProxyInstance proxy, string path)
    {
        var lookup = proxy.App.Services.GetRequiredService<IProxyStateLookup>();
        Assert.True(lookup.TryGetRoute("default", out var route));
        var feature = new ProxyRequestFeature();
        var context = new DefaultHttpContext();
        context.Request.Method = HttpMethods.Get;
        context.Request.Scheme = "http";
        context.Request.Host = new HostString("edge.test");
        context.Request.Path = path;
        context.Request.QueryString = new QueryString("?size=5000");
        context.Features.Set(feature);
        var body = new HeadRecordingStream(feature);
        context.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(body));

        var attempt = await proxy.App.Services.GetRequiredService<IOriginClient>()
            .SendAsync(context, route, route.Cluster!.DestinationsState.AvailableDestinations, CancellationToken.None);

        return (attempt, body.AtHead, body.Length);
    }

    /// <summary>A response body that notes what the feature says when the first byte is written (the response has started).</summary>
    private sealed class HeadRecordingStream(ProxyRequestFeature feature) : MemoryStream
    {
        public (TimeSpan? Cap, string? Reason, string? Cluster, int Attempts, string? Detail) AtHead { get; private set; }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Note();
            return base.WriteAsync(buffer, offset, count, cancellationToken);
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Note();
            return base.WriteAsync(buffer, cancellationToken);
        }

        private void Note()
        {
            if (Length == 0)
            {
                AtHead = (feature.CacheTtlCap, feature.EscalationReason, feature.ClusterId, feature.Attempts, feature.Detail);
            }
        }
    }
}
