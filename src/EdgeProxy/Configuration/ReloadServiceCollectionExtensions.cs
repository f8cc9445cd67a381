using Microsoft.Extensions.Options;

namespace EdgeProxy.Configuration;

/// <summary>Registers validated hot reload (<see cref="ConfigurationReloadGate"/>).</summary>
internal static class ReloadServiceCollectionExtensions
{
    /// <summary>
    /// Registers the gate and the validated <see cref="IOptionsMonitor{TOptions}"/> of EdgeProxy's
    /// options; returns the accepted configuration YARP should load its routes and clusters from.
    /// </summary>
    public static IConfiguration AddValidatedReload(this IServiceCollection services, IConfiguration configuration)
    {
        var gate = new ConfigurationReloadGate(configuration);
        services.AddSingleton(_ => gate); // factory-made, so the container disposes it with the host
        services.AddSingleton<IOptionsMonitor<EdgeProxyOptions>, ValidatedOptionsMonitor>();
        return gate.Accepted;
    }
}
