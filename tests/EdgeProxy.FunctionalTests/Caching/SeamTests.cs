using System.Diagnostics.Metrics;
using EdgeProxy.FunctionalTests.Infrastructure;
using EdgeProxy.Observability;
using EdgeProxy.Origins;
using EdgeProxy.TestOrigin;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Yarp.ReverseProxy.Model;

namespace EdgeProxy.FunctionalTests.Caching;

/// <summary>The seams other layers use: an IOriginClient decorator (escalation) and the EdgeProxy meter.</summary>
public sealed class SeamTests : IAsyncLifetime
{
    private readonly ManualClock _clock = new();
    private TestOriginServer _origin = null!;
    private ProxyInstance _proxy = null!;
    private EscalatingClient _escalation = null!;

    public async Task InitializeAsync()
    {
        _origin = await TestOriginServer.StartAsync();
        _proxy = await ProxyInstance.StartAsync(ProxySettings.TwoOrigins(_origin.BaseAddress), builder =>
        {
            builder.Services.AddSingleton<TimeProvider>(_clock);
            builder.Services.AddSingleton<IOriginClient>(sp =>
                _escalation = new EscalatingClient(new DirectOriginClient(sp.GetRequiredService<OriginForwarder>())));
        });
    }

    public async Task DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await _origin.DisposeAsync();
    }

    [Fact]
    public async Task Escalation_DecoratedOriginClient_OneCallPerFill_TtlCappedAndReasonInCacheStatus()
    {
        const string path = "/esc/a";
        const string url = path + "?size=100&cc=max-age%3D600&gate=esc";
        using var client = _proxy.NewClient();
        var requests = Enumerable.Range(0, 20).Select(_ => client.GetAsync(url)).ToArray();
        await _origin.Gates.WhenReceived(path);
        _origin.Gates.Release("esc");
        var responses = await Task.WhenAll(requests);

        Assert.Equal(1, _escalation.Calls);
        // Readers of the fill say it was escalated; a request that came after the fill ended is a plain hit.
        Assert.All(responses, r => Assert.True(r.CacheStatus().Contains("detail=escalated-status-503", StringComparison.Ordinal)
            || r.CacheStatus().StartsWith("edgeproxy; hit", StringComparison.Ordinal), r.CacheStatus()));
        Assert.Contains(responses, r => r.CacheStatus().Contains("detail=escalated-status-503", StringComparison.Ordinal));
        using var hit = await client.GetAsync(url);
        Assert.StartsWith("edgeproxy; hit; ttl=", hit.CacheStatus(), StringComparison.Ordinal);
        _clock.Advance(TimeSpan.FromSeconds(10)); // past the 5 s cap, far inside max-age=600
        using var capped = await client.GetAsync(url);
        Assert.Contains("fwd=stale", capped.CacheStatus(), StringComparison.Ordinal);
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task Metrics_CacheRequestsAndFillsOnTheEdgeProxyMeter()
    {
        var factory = _proxy.App.Services.GetRequiredService<IMeterFactory>();
        var measurements = new System.Collections.Concurrent.ConcurrentBag<(string Name, long Value, string? Tag)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == EdgeProxyMeter.Name && ReferenceEquals(instrument.Meter.Scope, factory))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            measurements.Add((instrument.Name, value, tags.Length > 0 ? tags[0].Value?.ToString() : null)));
        listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => measurements.Add((instrument.Name, value, null)));
        listener.Start();

        using var miss = await _proxy.Client.GetAsync("/metrics/a?size=10&cc=max-age%3D600");
        using var hit = await _proxy.Client.GetAsync("/metrics/a?size=10&cc=max-age%3D600");
        // The access-log middleware records the request metrics just before it queues the line: wait for the hit's line.
        await _proxy.Logs.WaitForAsync(l => l.Category == "EdgeProxy.AccessLog" && l.Message.Contains("/metrics/a", StringComparison.Ordinal)
            && l.Message.Contains("HIT", StringComparison.Ordinal));
        listener.RecordObservableInstruments();

        Assert.Contains(measurements, m => m.Name == "edgeproxy.requests" && m.Tag == "HIT");
        Assert.Contains(measurements, m => m.Name == "edgeproxy.requests" && m.Tag == "MISS");
        Assert.Contains(measurements, m => m.Name == "edgeproxy.cache.fills");
        Assert.Contains(measurements, m => m.Name == "edgeproxy.response.body" && m.Tag == "cache" && m.Value == 10);
        Assert.Contains(measurements, m => m.Name == "edgeproxy.cache.entries" && m.Value == 1);

        // Requests and bytes by cache result are counted once, by the access-log middleware.
        Assert.DoesNotContain(measurements, m => m.Name is "edgeproxy.cache.requests" or "edgeproxy.cache.bytes");
    }

    /// <summary>What escalation will do: decorate the origin client and mark the context it was given.</summary>
    private sealed class EscalatingClient(IOriginClient inner) : IOriginClient
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public ValueTask<OriginAttempt> SendAsync(HttpContext context, RouteModel route, IReadOnlyList<DestinationState> destinations, CancellationToken cancellationToken)
        {
            if (context.Request.Path.StartsWithSegments("/esc"))
            {
                Interlocked.Increment(ref _calls);
                var feature = context.Features.Get<ProxyRequestFeature>()!;
                feature.EscalationReason = "status-503";
                feature.CacheTtlCap = TimeSpan.FromSeconds(5);
            }

            return inner.SendAsync(context, route, destinations, cancellationToken);
        }
    }
}
