using System.Net;
using EdgeProxy.FunctionalTests.Infrastructure;

namespace EdgeProxy.FunctionalTests.Admin;

/// <summary>The demo origin inside a real process configured the container's way (Kestrel endpoints in the environment).</summary>
public sealed class DemoOriginProcessTests
{
    [Fact]
    public async Task Start_DemoOriginWithKestrelEndpointsInEnvironment_ServesThroughTheProxy()
    {
        var ports = ProcessPorts.Reserve(4);
        using var process = EdgeProxyProcess.Start([], new Dictionary<string, string>
        {
            ["Kestrel__Endpoints__Proxy__Url"] = $"http://127.0.0.1:{ports[0]}",
            ["Kestrel__Endpoints__Admin__Url"] = $"http://127.0.0.1:{ports[1]}",
            ["EdgeProxy__DemoOrigin__Enabled"] = "true",
            ["EdgeProxy__DemoOrigin__Ports__0"] = ports[2].ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["EdgeProxy__DemoOrigin__Ports__1"] = ports[3].ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["ReverseProxy__Clusters__primary__Destinations__origin1__Address"] = $"http://127.0.0.1:{ports[2]}/",
            ["ReverseProxy__Clusters__secondary__Destinations__origin1__Address"] = $"http://127.0.0.1:{ports[3]}/",
        });
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            string? line;
            while ((line = await process.StandardOutput.ReadLineAsync(deadline.Token)) is not null && !line.Contains("Application started", StringComparison.Ordinal))
            {
            }

            if (line is null)
            {
                Assert.Fail("the process ended before it started: " + await stderr);
            }

            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            using var response = await client.GetAsync(new Uri($"http://127.0.0.1:{ports[0]}/demo?size=10"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("primary", Assert.Single(response.Headers.GetValues("X-Origin")));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }
}
