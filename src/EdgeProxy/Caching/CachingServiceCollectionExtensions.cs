using EdgeProxy.Collapsing;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Yarp.ReverseProxy.Transforms.Builder;

namespace EdgeProxy.Caching;

/// <summary>Registers the cache (policy, store, purger, metrics) and collapsed forwarding.</summary>
public static class CachingServiceCollectionExtensions
{
    public static IServiceCollection AddEdgeProxyCaching(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<CachePolicy>();
        services.AddSingleton<MemoryCacheStore>();
        services.AddSingleton<ICacheStore>(static sp => sp.GetRequiredService<MemoryCacheStore>());
        services.AddSingleton<CacheMetrics>();
        services.AddSingleton<HitLane>();
        services.AddSingleton<Yarp.ReverseProxy.Configuration.IConfigChangeListener>(static sp => sp.GetRequiredService<HitLane>());
        services.AddSingleton<ICachePurger, CachePurger>();
        services.AddSingleton<FillRegistry>();
        services.AddSingleton<FillRunner>();
        services.AddSingleton<ITransformProvider, FillHeadersTransformProvider>();
        return services;
    }
}
