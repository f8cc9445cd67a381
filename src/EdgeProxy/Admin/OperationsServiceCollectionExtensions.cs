using EdgeProxy.Observability;
using EdgeProxy.Observability.Metrics;

namespace EdgeProxy.Admin;

/// <summary>Registers what an operator uses: metrics and their Prometheus exporter, the admin API, the dashboard.</summary>
internal static class OperationsServiceCollectionExtensions
{
    public static IServiceCollection AddEdgeProxyOperations(this IServiceCollection services, IConfiguration configuration)
    {
        _ = configuration;
        services.AddMetrics();
        services.AddSingleton<PrometheusExporter>();
        services.AddSingleton<EdgeProxyMetrics>();
        services.AddSingleton<AdminAuthorization>();
        services.AddSingleton<DashboardSummary>();
        services.AddSingleton<AdminApi>();
        services.AddHostedService<StartupReport>();
        services.AddHostedService<OtlpMetricsExporter>();
        return services;
    }
}
