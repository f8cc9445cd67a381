using System.Collections.Concurrent;

namespace EdgeProxy.TestOrigin;

/// <summary>
/// Named gates that order a test's events without sleeps. A request with <c>?gate=g</c> waits for
/// <c>Release("g")</c> before it sends headers; <c>?body_gate=g&amp;gate_after=N</c> pauses after N body
/// bytes until released. Tests await <see cref="WhenReceived"/> / <see cref="WhenHeadersSent"/> /
/// <see cref="WhenBodyBytesSent"/> to know what the origin has done.
/// </summary>
public sealed class OriginGates
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _gates = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _sent = new(StringComparer.Ordinal);

    private TaskCompletionSource Get(string name) =>
        _gates.GetOrAdd(name, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    /// <summary>Opens gate <paramref name="name"/>: every request waiting on it, and every later one, goes on.</summary>
    public void Release(string name) => Get(name).TrySetResult();

    /// <summary>Completes when gate <paramref name="name"/> is opened.</summary>
    public Task WaitAsync(string name, CancellationToken cancellationToken) => Get(name).Task.WaitAsync(cancellationToken);

    /// <summary>Completes when a request for <paramref name="path"/> has been received (its n-th, 1-based).</summary>
    public Task WhenReceived(string path, int n = 1) => Get($"received:{path}#{n}").Task;

    /// <summary>Completes when response headers for <paramref name="path"/> have been flushed.</summary>
    public Task WhenHeadersSent(string path, int n = 1) => Get($"headers:{path}#{n}").Task;

    /// <summary>Completes when at least <paramref name="bytes"/> body bytes were flushed for the first request of <paramref name="path"/>.</summary>
    public Task WhenBodyBytesSent(string path, long bytes)
    {
        var gate = Get($"body:{path}>={bytes}");
        if (_sent.TryGetValue(path, out var sent) && sent >= bytes)
        {
            gate.TrySetResult(); // already happened before anyone asked
        }

        return gate.Task;
    }

    internal void SignalReceived(string path, int n) => Get($"received:{path}#{n}").TrySetResult();

    internal void SignalHeadersSent(string path, int n) => Get($"headers:{path}#{n}").TrySetResult();

    internal void SignalBodyProgress(string path, long sent)
    {
        _sent.AddOrUpdate(path, sent, (_, previous) => Math.Max(previous, sent));
        foreach (var (key, tcs) in _gates)
        {
            if (!key.StartsWith("body:", StringComparison.Ordinal))
            {
                continue;
            }

            var sep = key.LastIndexOf(">=", StringComparison.Ordinal);
            if (key.AsSpan(5, sep - 5).SequenceEqual(path) && long.Parse(key.AsSpan(sep + 2), provider: System.Globalization.CultureInfo.InvariantCulture) <= sent)
            {
                tcs.TrySetResult();
            }
        }
    }

    public void Reset()
    {
        _gates.Clear();
        _sent.Clear();
    }
}
