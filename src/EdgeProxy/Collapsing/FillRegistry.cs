using System.Collections.Concurrent;

namespace EdgeProxy.Collapsing;

/// <summary>The running fills by key, and the keys remembered as not shareable (hit-for-miss) until a deadline.</summary>
internal sealed class FillRegistry
{
    private readonly ConcurrentDictionary<string, Fill> _fills = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _hitForMiss = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    public FillRegistry(TimeProvider time) => _time = time;

    public int Count => _fills.Count;

    public bool TryGet(string key, out Fill fill) => _fills.TryGetValue(key, out fill!);

    /// <summary>Adds <paramref name="fill"/> unless another fill holds the key; returns the one that holds it.</summary>
    public Fill GetOrAdd(Fill fill) => _fills.GetOrAdd(fill.Key, fill);

    public void Remove(Fill fill) => _fills.TryRemove(new KeyValuePair<string, Fill>(fill.Key, fill));

    public void MarkHitForMiss(string url, TimeSpan duration)
    {
        if (duration > TimeSpan.Zero)
        {
            _hitForMiss[url] = _time.GetUtcNow().UtcTicks + duration.Ticks;
        }
    }

    public void ClearHitForMiss(string url) => _hitForMiss.TryRemove(url, out _);

    public bool IsHitForMiss(string url)
    {
        if (_hitForMiss.IsEmpty || !_hitForMiss.TryGetValue(url, out var until))
        {
            return false;
        }

        if (until > _time.GetUtcNow().UtcTicks)
        {
            return true;
        }

        _hitForMiss.TryRemove(new KeyValuePair<string, long>(url, until));
        return false;
    }
}
