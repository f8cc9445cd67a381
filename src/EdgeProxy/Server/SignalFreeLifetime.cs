namespace EdgeProxy.Server;

/// <summary>
/// A host lifetime that registers no signal handlers, for the start-up warm-up's private instance: the default
/// (console) lifetime takes SIGTERM and SIGINT for its own host and cancels them, so a stop signal sent while the
/// warm-up ran stopped only the private instance and the process went on to open its listeners.
/// </summary>
internal sealed class SignalFreeLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
