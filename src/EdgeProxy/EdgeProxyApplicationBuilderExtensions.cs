using System.Runtime.CompilerServices;
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
        UseAuthorizationWhereRequired(app);
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

    /// <summary>
    /// WebApplication adds ASP.NET Core's AuthorizationMiddleware in front of every request when authorization
    /// services are registered (YARP registers them for a route's <c>AuthorizationPolicy</c>), and that middleware
    /// creates <c>HttpContext.Items</c> for each request with an endpoint: ~200 bytes per cache hit. It runs here,
    /// at the same place (after routing, before everything else), only for endpoints that carry authorization
    /// metadata or when a fallback policy is set; a route without a policy skips it, as the middleware itself would.
    /// </summary>
    private static void UseAuthorizationWhereRequired(WebApplication app)
    {
        var options = app.Services.GetService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Authorization.AuthorizationOptions>>();
        if (options is null)
        {
            return; // no authorization services: WebApplication adds nothing either
        }

        // WebApplication's own marker: "UseAuthorization was called", so it does not add one for every request.
        ((IApplicationBuilder)app).Properties["__AuthorizationMiddlewareSet"] = true;
        var fallback = options.Value.FallbackPolicy is not null;
        var required = new ConditionalWeakTable<Endpoint, StrongBox<bool>>();
        app.UseWhen(context => fallback || RequiresAuthorization(required, context.GetEndpoint()), branch => branch.UseAuthorization());
    }

    /// <summary>Per endpoint, looked up once: endpoints are rebuilt when the configuration changes, so the table follows them.</summary>
    private static bool RequiresAuthorization(ConditionalWeakTable<Endpoint, StrongBox<bool>> required, Endpoint? endpoint) =>
        endpoint is not null && required.GetValue(endpoint, static e => new StrongBox<bool>(HasAuthorizationMetadata(e))).Value;

    internal static bool HasAuthorizationMetadata(Endpoint endpoint) =>
        endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Authorization.IAuthorizeData>() is not null
        || endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Authorization.AuthorizationPolicy>() is not null
        || endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Authorization.IAuthorizationRequirementData>() is not null;
}
