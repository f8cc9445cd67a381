using System.Net;
using EdgeProxy.FunctionalTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeProxy.FunctionalTests.Observability;

/// <summary>The lean hit path still feeds the access log: bytes through the pipe, the URL and client formatted off the request path.</summary>
public sealed class HitPathAccessLogTests : ProxiedOriginTest
{
    [Fact]
    public async Task Hit_FromTheStore_AccessLogHasItsBytesUrlAndClient()
    {
        const string url = "/hitlog/a?size=777&cc=public,max-age=600&x=%20y";
        using (var miss = await Proxy.Client.GetAsync(url))
        {
            Assert.Equal(777, (await miss.Content.ReadAsByteArrayAsync()).Length);
        }

        await Proxy.Logs.WaitForAccessLogAsync("/hitlog/a");
        using var hit = await Proxy.Client.GetAsync(url);
        Assert.Equal(777, (await hit.Content.ReadAsByteArrayAsync()).Length);
        Assert.Equal(1, Origin.Counters.For("/hitlog/a"));

        var line = await Proxy.Logs.WaitForAsync(l => l.EventId.Id == 1000 && "HIT".Equals(l.Property("CacheResult")));
        Assert.Equal(777L, line.Property("Bytes"));
        Assert.Equal(url, line.Property("Url"));
        Assert.Equal("127.0.0.1", line.Property("Client"));
        Assert.IsType<double>(line.Property("TtfbMs"));
    }
}

/// <summary>
/// ASP.NET Core's authorization middleware runs only for routes that carry a policy (it used to run for every
/// request): such a route is still authorized, and one without a policy is served as before.
/// </summary>
public sealed class RouteAuthorizationPolicyTests : ProxiedOriginTest
{
    protected override void Configure(Dictionary<string, string?> settings)
    {
        settings["ReverseProxy:Routes:allowed:ClusterId"] = "primary";
        settings["ReverseProxy:Routes:allowed:Match:Path"] = "/allowed/{**rest}";
        settings["ReverseProxy:Routes:allowed:AuthorizationPolicy"] = "allow";
        settings["ReverseProxy:Routes:denied:ClusterId"] = "primary";
        settings["ReverseProxy:Routes:denied:Match:Path"] = "/denied/{**rest}";
        settings["ReverseProxy:Routes:denied:AuthorizationPolicy"] = "deny";
    }

    protected override void ConfigureHost(Microsoft.AspNetCore.Builder.WebApplicationBuilder builder) =>
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy("allow", p => p.RequireAssertion(_ => true))
            .AddPolicy("deny", p => p.RequireAssertion(_ => false));

    [Fact]
    public async Task PolicyRoutes_AreAuthorized_OthersPassWithoutIt()
    {
        // An endpoint with authorization metadata that no authorization middleware saw fails (EndpointMiddleware throws):
        // a 200 here means the middleware ran for this route and allowed it.
        using var allowed = await Proxy.Client.GetAsync("/allowed/a?size=5");
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);

        // Denied: the policy fails and the challenge has no scheme to go to, so the request ends before the origin.
        using var denied = await Proxy.Client.GetAsync("/denied/a?size=5");
        Assert.NotEqual(HttpStatusCode.OK, denied.StatusCode);
        Assert.Equal(0, Origin.Counters.For("/denied/a"));

        using var open = await Proxy.Client.GetAsync("/open/a?size=5");
        Assert.Equal(HttpStatusCode.OK, open.StatusCode);
        Assert.Equal(1, Origin.Counters.For("/allowed/a"));
        Assert.Equal(1, Origin.Counters.For("/open/a"));
    }
}
