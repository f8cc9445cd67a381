using EdgeProxy.Configuration;
using Microsoft.Extensions.Options;

namespace EdgeProxy.Admin;

/// <summary>
/// Graceful drain on SIGTERM: readiness goes false first and the listeners keep serving for
/// <c>Lifecycle:DrainDelay</c> (so the load balancer stops sending), then Kestrel stops accepting and
/// in-flight requests get <c>Lifecycle:DrainTimeout</c> to finish (the host's shutdown timeout).
/// </summary>
internal sealed partial class DrainService : IHostedLifecycleService
{
    private readonly ReadinessState _readiness;
    private readonly IOptions<EdgeProxyOptions> _options;
    private readonly ILogger<DrainService> _logger;

    public DrainService(ReadinessState readiness, IOptions<EdgeProxyOptions> options, ILogger<DrainService> logger)
    {
        _readiness = readiness;
        _options = options;
        _logger = logger;
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        _readiness.MarkReady();
        return Task.CompletedTask;
    }

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        if (_readiness.IsDraining)
        {
            return; // a second stop request does not wait through the drain delay again
        }

        _readiness.MarkDraining();
        var lifecycle = _options.Value.Lifecycle;
        Draining(_logger, lifecycle.DrainDelay.TotalMilliseconds, lifecycle.DrainTimeout.TotalMilliseconds);
        if (lifecycle.DrainDelay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(lifecycle.DrainDelay, cancellationToken);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Draining: readiness is false; serving {DrainDelayMs} ms more, then in-flight requests get {DrainTimeoutMs} ms")]
    private static partial void Draining(ILogger logger, double drainDelayMs, double drainTimeoutMs);
}
