using EdgeProxy.Origins;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace EdgeProxy.Escalation;

/// <summary>Registers escalation: <see cref="EscalatingOriginClient"/> decorates the direct origin client.</summary>
public static class EscalationServiceCollectionExtensions
{
    public static IServiceCollection AddEdgeProxyEscalation(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<DirectOriginClient>();
        services.AddSingleton<EscalationSettings>();
        services.AddSingleton<EscalationMetrics>();
        services.AddSingleton<CircuitBreakers>();
        services.AddSingleton<ICircuitStates>(static sp => sp.GetRequiredService<CircuitBreakers>());
        services.Replace(ServiceDescriptor.Singleton<IOriginClient, EscalatingOriginClient>());
        return services;
    }
}
