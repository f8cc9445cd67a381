using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace EdgeProxy.Configuration;

/// <summary>
/// A value derived from <see cref="EdgeProxyOptions"/> for each cluster, resolved once per configuration
/// version and dropped on reload (<see cref="Changed"/> then tells dependants, e.g. breakers, to rebuild).
/// </summary>
internal sealed class PerClusterCache<T>
{
    private readonly IOptionsMonitor<EdgeProxyOptions> _options;
    private readonly Func<string, EdgeProxyOptions, T> _resolve;
    private ConcurrentDictionary<string, T> _resolved = new(StringComparer.OrdinalIgnoreCase);

    public PerClusterCache(IOptionsMonitor<EdgeProxyOptions> options, Func<string, EdgeProxyOptions, T> resolve)
    {
        _options = options;
        _resolve = resolve;
        options.OnChange(_ =>
        {
            _resolved = new(StringComparer.OrdinalIgnoreCase);
            Changed?.Invoke();
        });
    }

    /// <summary>Raised after a configuration reload, once the cache is empty.</summary>
    public event Action? Changed;

    public T For(string clusterId) =>
        _resolved.GetOrAdd(clusterId, static (id, self) => self._resolve(id, self._options.CurrentValue), this);
}
