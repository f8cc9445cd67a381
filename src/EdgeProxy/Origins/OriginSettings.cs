using System.Collections.Concurrent;
using EdgeProxy.Configuration;
using Microsoft.Extensions.Options;

namespace EdgeProxy.Origins;

/// <summary>
/// The effective <see cref="OriginOptions"/> of each cluster, resolved once per configuration
/// version (cluster entry over <c>OriginDefaults</c> over built-in defaults) and rebuilt on reload.
/// </summary>
internal sealed class OriginSettings
{
    private readonly IOptionsMonitor<EdgeProxyOptions> _options;
    private ConcurrentDictionary<string, ResolvedOriginOptions> _resolved = new(StringComparer.OrdinalIgnoreCase);

    public OriginSettings(IOptionsMonitor<EdgeProxyOptions> options)
    {
        _options = options;
        options.OnChange(_ => _resolved = new(StringComparer.OrdinalIgnoreCase));
    }

    public ResolvedOriginOptions For(string clusterId) =>
        _resolved.GetOrAdd(clusterId, static (id, options) =>
        {
            var current = options.CurrentValue;
            return current.Clusters.TryGetValue(id, out var cluster)
                ? cluster.Resolve(current.OriginDefaults)
                : current.OriginDefaults.Resolve(new OriginOptions());
        }, _options);
}
