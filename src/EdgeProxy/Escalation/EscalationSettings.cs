using System.Collections.Concurrent;
using EdgeProxy.Configuration;
using EdgeProxy.Origins;
using Microsoft.Extensions.Options;

namespace EdgeProxy.Escalation;

/// <summary>
/// The <see cref="EscalationPolicy"/> of each cluster, resolved once per configuration version and
/// rebuilt on reload (<see cref="Changed"/> tells the breakers to rebuild too).
/// </summary>
internal sealed class EscalationSettings
{
    private readonly IOptionsMonitor<EdgeProxyOptions> _options;
    private ConcurrentDictionary<string, EscalationPolicy> _resolved = new(StringComparer.OrdinalIgnoreCase);

    public EscalationSettings(IOptionsMonitor<EdgeProxyOptions> options)
    {
        _options = options;
        options.OnChange(_ =>
        {
            _resolved = new(StringComparer.OrdinalIgnoreCase);
            Changed?.Invoke();
        });
    }

    /// <summary>Raised after a configuration reload.</summary>
    public event Action? Changed;

    public EscalationPolicy For(string clusterId) =>
        _resolved.GetOrAdd(clusterId, static (id, options) =>
        {
            var current = options.CurrentValue;
            var cluster = current.Clusters.TryGetValue(id, out var c) ? c : new OriginOptions();
            return EscalationPolicy.Resolve(id, cluster, current.OriginDefaults);
        }, _options);
}
