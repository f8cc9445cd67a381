using EdgeProxy.Configuration;
using Microsoft.Extensions.Options;

namespace EdgeProxy.Origins;

/// <summary>
/// The effective <see cref="OriginOptions"/> of each cluster, resolved once per configuration
/// version (cluster entry over <c>OriginDefaults</c> over built-in defaults) and rebuilt on reload.
/// </summary>
internal sealed class OriginSettings
{
    private readonly PerClusterCache<ResolvedOriginOptions> _resolved;

    public OriginSettings(IOptionsMonitor<EdgeProxyOptions> options) =>
        _resolved = new(options, static (id, current) => current.Clusters.TryGetValue(id, out var cluster)
            ? cluster.Resolve(current.OriginDefaults)
            : current.OriginDefaults.Resolve(new OriginOptions()));

    public ResolvedOriginOptions For(string clusterId) => _resolved.For(clusterId);
}
