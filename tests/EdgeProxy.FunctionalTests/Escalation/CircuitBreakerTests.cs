using System.Diagnostics.Metrics;
using System.Net;
using EdgeProxy.Escalation;
using EdgeProxy.FunctionalTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Polly.CircuitBreaker;

namespace EdgeProxy.FunctionalTests.Escalation;

/// <summary>The per-destination breaker: after the threshold, requests skip the dead primary; a half-open probe brings it back.</summary>
public sealed class CircuitBreakerTests : EscalationTestBase
{
    // Fake time: the breaker's clock moves only when the test says so (no header timeouts are involved here).
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    private Task<ProxyInstance> StartBreakerProxyAsync(Uri primary) =>
        StartProxyAsync(primary, s => s
                .With("EdgeProxy:Clusters:primary:Breaker:FailureThreshold", "2")
                .With("EdgeProxy:Clusters:primary:Breaker:BreakDuration", "00:00:30"),
            builder => builder.Services.AddSingleton<TimeProvider>(_time));

    [Fact]
    public async Task Get_CircuitOpen_RequestsSkipTheDeadPrimary()
    {
        var primary = await StartPrimaryAsync(forceStatus: 503);
        var proxy = await StartBreakerProxyAsync(primary.BaseAddress);

        for (var i = 0; i < 6; i++)
        {
            using var response = await proxy.Client.GetAsync($"/cb/{i}?size=10");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("secondary", Assert.Single(response.Headers.GetValues("X-Origin")));
        }

        Assert.Equal(2, primary.Counters.Total);
        Assert.Equal(6, Secondary.Counters.Total);
        var skipped = await proxy.Logs.WaitForAccessLogAsync("/cb/5");
        Assert.Equal("circuit-open", skipped.Property("Escalation"));
        Assert.Equal(1, skipped.Property("Attempts"));
        var circuit = Assert.Single(proxy.App.Services.GetRequiredService<ICircuitStates>().Snapshot());
        Assert.Equal(("primary", primary.BaseAddress.ToString(), CircuitState.Open), (circuit.ClusterId, circuit.Destination, circuit.State));
    }

    [Fact]
    public async Task Get_AfterBreakDuration_HalfOpenProbeSucceeds_PrimaryServesAgain()
    {
        var primary = await StartPrimaryAsync(forceStatus: 503);
        var proxy = await StartBreakerProxyAsync(primary.BaseAddress);
        for (var i = 0; i < 3; i++)
        {
            using var _ = await proxy.Client.GetAsync($"/probe/{i}");
        }

        Assert.Equal(2, primary.Counters.Total);
        primary.ForceStatus = null;
        _time.Advance(TimeSpan.FromSeconds(31));

        using (var probe = await proxy.Client.GetAsync("/probe/half-open"))
        {
            Assert.Equal("primary", Assert.Single(probe.Headers.GetValues("X-Origin")));
        }

        using (var after = await proxy.Client.GetAsync("/probe/closed"))
        {
            Assert.Equal("primary", Assert.Single(after.Headers.GetValues("X-Origin")));
        }

        Assert.Equal(4, primary.Counters.Total);
        Assert.Equal(CircuitState.Closed, Assert.Single(proxy.App.Services.GetRequiredService<ICircuitStates>().Snapshot()).State);
    }

    [Fact]
    public async Task Get_HalfOpenProbeFails_CircuitOpensAgain()
    {
        var primary = await StartPrimaryAsync(forceStatus: 503);
        var proxy = await StartBreakerProxyAsync(primary.BaseAddress);
        for (var i = 0; i < 2; i++)
        {
            using var _ = await proxy.Client.GetAsync($"/reopen/{i}");
        }

        _time.Advance(TimeSpan.FromSeconds(31));
        using (var probe = await proxy.Client.GetAsync("/reopen/probe"))
        {
            Assert.Equal("secondary", Assert.Single(probe.Headers.GetValues("X-Origin")));
        }

        using (var skipped = await proxy.Client.GetAsync("/reopen/skipped"))
        {
            Assert.Equal("secondary", Assert.Single(skipped.Headers.GetValues("X-Origin")));
        }

        Assert.Equal(3, primary.Counters.Total);
        Assert.Equal(CircuitState.Open, Assert.Single(proxy.App.Services.GetRequiredService<ICircuitStates>().Snapshot()).State);
    }

    [Fact]
    public async Task Post_CircuitOpen_GoesStraightToTheSecondary()
    {
        // Nothing was sent to the primary, so even a method that never escalates after an attempt can skip it.
        var primary = await StartPrimaryAsync(forceStatus: 503);
        var proxy = await StartBreakerProxyAsync(primary.BaseAddress);
        for (var i = 0; i < 2; i++)
        {
            using var _ = await proxy.Client.GetAsync($"/open/{i}");
        }

        using var response = await proxy.Client.PostAsync("/open/post?echo=1", new StringContent("body"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"bodyLength\":4", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(2, primary.Counters.Total);
    }

    [Fact]
    public async Task Metrics_EscalationsByReason_CircuitChanges_Attempts()
    {
        var primary = await StartPrimaryAsync(forceStatus: 503);
        var proxy = await StartBreakerProxyAsync(primary.BaseAddress);
        var meterFactory = proxy.App.Services.GetRequiredService<IMeterFactory>();
        var escalations = new List<string>();
        var transitions = new List<string>();
        var attempts = new List<int>();

        // Measurements taken at the end of a request can land after its response has reached the client.
        var allThree = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void CheckAllThree()
        {
            if (escalations.Count >= 3 && attempts.Count >= 3)
            {
                allThree.TrySetResult();
            }
        }

        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, meterFactory) && instrument.Name.StartsWith("edgeproxy.escalation.", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, _, tags, _) =>
        {
            var name = instrument.Name == "edgeproxy.escalation.escalations" ? "reason" : "state";
            var value = Tag(tags, name);
            lock (escalations)
            {
                (name == "reason" ? escalations : transitions).Add(value);
                CheckAllThree();
            }
        });
        listener.SetMeasurementEventCallback<int>((instrument, value, _, _) =>
        {
            if (instrument.Name == "edgeproxy.escalation.attempts")
            {
                lock (escalations)
                {
                    attempts.Add(value);
                    CheckAllThree();
                }
            }
        });
        listener.Start();

        for (var i = 0; i < 3; i++)
        {
            using var _ = await proxy.Client.GetAsync($"/metrics/{i}");
        }

        await allThree.Task.WaitAsync(TimeSpan.FromSeconds(10));
        lock (escalations)
        {
            Assert.Equal(["status-503", "status-503", "circuit-open"], escalations);
            Assert.Equal(["open"], transitions);
            Assert.Equal([2, 2, 1], attempts);
        }
    }

    private static string Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string name)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == name)
            {
                return (string)tag.Value!;
            }
        }

        return "?";
    }
}
