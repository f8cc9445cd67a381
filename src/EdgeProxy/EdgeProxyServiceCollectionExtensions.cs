using EdgeProxy.Admin;
using EdgeProxy.Caching;
using EdgeProxy.Configuration;
using EdgeProxy.Demo;
using EdgeProxy.Escalation;
using EdgeProxy.Observability;
using EdgeProxy.Origins;
using EdgeProxy.Server;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Transforms.Builder;

namespace EdgeProxy;

/// <summary>Registers EdgeProxy's services: YARP from <c>ReverseProxy</c>, EdgeProxy's options and layers.</summary>
public static class EdgeProxyServiceCollectionExtensions
{
    public static IServiceCollection AddEdgeProxy(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<EdgeProxyOptions>().Bind(configuration.GetSection(EdgeProxyOptions.SectionName));
        services.Configure<HostOptions>(host =>
        {
            var lifecycle = configuration.GetSection(EdgeProxyOptions.SectionName).Get<EdgeProxyOptions>()?.Lifecycle ?? new LifecycleOptions();
            host.ShutdownTimeout = lifecycle.DrainDelay + lifecycle.DrainTimeout;
        });

        services.AddReverseProxy().LoadFromConfig(services.AddValidatedReload(configuration).GetSection("ReverseProxy"));
        services.AddSingleton<IForwarderHttpClientFactory, OriginHttpClientFactory>();
        services.AddSingleton<ITransformProvider, ProxyHeadersTransformProvider>();

        services.AddSingleton<OriginSettings>();
        services.AddSingleton<OriginForwarder>();
        services.AddSingleton<InterimRelays>();
        services.AddSingleton<IOriginClient, DirectOriginClient>();
        services.AddEdgeProxyEscalation();
        services.AddEdgeProxyCaching();

        // Kestrel's socket transport takes its pool from this factory (registered after Kestrel's own, so it wins).
        services.AddSingleton<IMemoryPoolFactory<byte>, TransportMemoryPoolFactory>();
        services.AddSingleton<ZeroCopyStatistics>();
        services.AddSingleton<FairTurnsMetrics>();
        services.AddInlineScheduling();
        services.AddSingleton<WarmupReport>();
        services.TryAddSingleton<EdgeProxyListeners>();
        services.AddSingleton<ReadinessState>();
        services.AddHostedService<DrainService>();
        services.AddHostedService<DemoOriginService>();

        services.AddEdgeProxyOperations(configuration);
        services.AddSingleton<AccessLogWriter>();
        services.AddHostedService(static sp => sp.GetRequiredService<AccessLogWriter>());
        return services;
    }
}
