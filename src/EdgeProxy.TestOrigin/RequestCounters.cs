using System.Collections.Concurrent;

namespace EdgeProxy.TestOrigin;

/// <summary>Per-path request counters, readable in-process and over HTTP at <c>/__stats</c>.</summary>
public sealed class RequestCounters
{
    private readonly ConcurrentDictionary<string, int> _paths = new(StringComparer.Ordinal);
    private int _total;

    public int Total => Volatile.Read(ref _total);

    public int For(string path) => _paths.TryGetValue(path, out var n) ? n : 0;

    public IReadOnlyDictionary<string, int> Snapshot() => new Dictionary<string, int>(_paths, StringComparer.Ordinal);

    internal int Increment(string path)
    {
        Interlocked.Increment(ref _total);
        return _paths.AddOrUpdate(path, 1, static (_, n) => n + 1);
    }

    public void Reset()
    {
        _paths.Clear();
        Volatile.Write(ref _total, 0);
    }
}
