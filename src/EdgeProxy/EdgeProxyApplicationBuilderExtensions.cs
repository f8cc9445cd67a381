using EdgeProxy.Admin;
using EdgeProxy.Caching;
using EdgeProxy.Observability;
using EdgeProxy.Origins;

namespace EdgeProxy;

/// <summary>
/// The request's path, in order (docs/architecture.md draws it): admin listener branch → access log → PURGE →
/// YARP routing → proxy pipeline (load balancing, passive health) → forwarding to the origin.
/// </summary>
public static class EdgeProxyApplicationBuilderExtensions
{
    public static WebApplication UseEdgeProxy(this WebApplication app)
    {
        var listeners = app.Services.GetRequiredService<EdgeProxyListeners>();
        app.MapWhen(listeners.IsAdmin, admin => admin.UseMiddleware<AdminMiddleware>());

        app.UseMiddleware<AccessLogMiddleware>();
        app.UseMiddleware<PurgeMiddleware>();
        app.MapReverseProxy(proxy =>
        {
            proxy.UseSessionAffinity();
            proxy.UseLoadBalancing();
            proxy.UsePassiveHealthChecks();
            proxy.UseMiddleware<CachingMiddleware>();
            proxy.UseMiddleware<ForwardingMiddleware>();
        });
        return app;
    }
}
