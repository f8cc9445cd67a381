using System.Diagnostics.Metrics;
using EdgeProxy.Configuration;
using EdgeProxy.Escalation;
using EdgeProxy.Origins;
using EdgeProxy.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Polly;
using Polly.CircuitBreaker;
using Yarp.ReverseProxy.Forwarder;

namespace EdgeProxy.Tests.Escalation;

public sealed class CircuitBreakersTests : IDisposable
{
    private const string Destination = "http://10.0.0.1/";
    private readonly FakeTimeProvider _time = new();
    private readonly StaticOptionsMonitor<EdgeProxyOptions> _options;
    private readonly EscalationSettings _settings;
    private readonly ServiceProvider _services;
    private readonly CircuitBreakers _breakers;

    public CircuitBreakersTests()
    {
        _options = new StaticOptionsMonitor<EdgeProxyOptions>(Options(threshold: 2));
        _settings = new EscalationSettings(_options);
        _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        _breakers = new CircuitBreakers(_settings, _time, new EscalationMetrics(_services.GetRequiredService<IMeterFactory>()), NullLogger<CircuitBreakers>.Instance);
    }

    private static EdgeProxyOptions Options(int threshold)
    {
        var options = new EdgeProxyOptions();
        options.Clusters["p"] = new OriginOptions { Secondary = "s", Breaker = new CircuitBreakerOptions { FailureThreshold = threshold, BreakDuration = TimeSpan.FromSeconds(10) } };
        return options;
    }

    private static OriginAttempt Failed(OriginFailureKind kind) => new("p", Destination, ForwarderError.Request, kind, null);

    private static readonly OriginAttempt Ok = new("p", Destination, ForwarderError.None, OriginFailureKind.None, null);

    private async Task<bool> RunAsync(OriginAttempt result)
    {
        var breaker = _breakers.For(_settings.For("p"), Destination)!;
        var outcome = await breaker.Pipeline.ExecuteOutcomeAsync(static (_, r) => new ValueTask<Outcome<OriginAttempt>>(Outcome.FromResult(r)), ResilienceContextPool.Shared.Get(), result);
        return outcome.Exception is not BrokenCircuitException;
    }

    private CircuitState State => Assert.Single(_breakers.Snapshot()).State;

    [Fact]
    public async Task Breaker_ThresholdConsecutiveFailures_Opens()
    {
        Assert.True(await RunAsync(Failed(OriginFailureKind.ConnectionRefused)));
        Assert.Equal(CircuitState.Closed, State);
        Assert.True(await RunAsync(Failed(OriginFailureKind.ResponseHeaderTimeout)));

        Assert.Equal(CircuitState.Open, State);
        Assert.True(_breakers.IsOpen(_settings.For("p"), Destination));
        Assert.False(await RunAsync(Ok), "an open circuit rejects the attempt");
    }

    [Fact]
    public async Task Breaker_SuccessBetweenFailures_StaysClosed()
    {
        await RunAsync(Failed(OriginFailureKind.ConnectionRefused));
        await RunAsync(Ok);
        await RunAsync(Failed(OriginFailureKind.ConnectionRefused));

        Assert.Equal(CircuitState.Closed, State);
    }

    [Fact]
    public async Task Breaker_FailuresThatAreNotTriggers_DoNotCount()
    {
        await RunAsync(Failed(OriginFailureKind.ClientAborted));
        await RunAsync(Failed(OriginFailureKind.BodyReset));
        await RunAsync(Failed(OriginFailureKind.ClientAborted));

        Assert.Equal(CircuitState.Closed, State);
    }

    [Fact]
    public async Task Breaker_AfterBreakDuration_HalfOpenProbe_ClosesOnSuccess()
    {
        await RunAsync(Failed(OriginFailureKind.Status));
        await RunAsync(Failed(OriginFailureKind.Status));
        Assert.Equal(CircuitState.Open, State);

        _time.Advance(TimeSpan.FromSeconds(10));

        Assert.True(await RunAsync(Ok), "the half-open probe goes through");
        Assert.Equal(CircuitState.Closed, State);
    }

    [Fact]
    public async Task Reload_RebuildsTheBreakers()
    {
        await RunAsync(Failed(OriginFailureKind.ConnectionRefused));
        await RunAsync(Failed(OriginFailureKind.ConnectionRefused));
        Assert.Equal(CircuitState.Open, State);

        _options.Reload(Options(threshold: 3));

        Assert.Empty(_breakers.Snapshot());
        await RunAsync(Failed(OriginFailureKind.ConnectionRefused));
        await RunAsync(Failed(OriginFailureKind.ConnectionRefused));
        Assert.Equal(CircuitState.Closed, State);
        Assert.Equal(3, _settings.For("p").Breaker.MinimumThroughput);
    }

    [Fact]
    public void For_BreakerDisabled_IsNull()
    {
        var options = Options(threshold: 2);
        options.Clusters["p"].Breaker!.Enabled = false;
        _options.Reload(options);

        Assert.Null(_breakers.For(_settings.For("p"), Destination));
    }

    public void Dispose() => _services.Dispose();
}
