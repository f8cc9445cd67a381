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
    private readonly PerClusterCache<EscalationPolicy> _resolved;

    public EscalationSettings(IOptionsMonitor<EdgeProxyOptions> options) =>
        _resolved = new(options, static (id, current) =>
            EscalationPolicy.Resolve(id, current.Clusters.TryGetValue(id, out var cluster) ? cluster : new OriginOptions(), current.OriginDefaults));

    /// <summary>Raised after a configuration reload.</summary>
    public event Action? Changed
    {
        add => _resolved.Changed += value;
        remove => _resolved.Changed -= value;
    }

    public EscalationPolicy For(string clusterId) => _resolved.For(clusterId);
}
