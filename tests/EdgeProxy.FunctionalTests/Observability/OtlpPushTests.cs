using System.Net;
using System.Text;
using EdgeProxy.FunctionalTests.Infrastructure;
using EdgeProxy.TestOrigin;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EdgeProxy.FunctionalTests.Observability;

/// <summary>OTLP push (HTTP/protobuf) to a stand-in collector on loopback; off unless an endpoint is configured.</summary>
public sealed class OtlpPushTests
{
    [Fact]
    public async Task Otlp_EndpointConfigured_PushesEdgeProxyMetricsOnStop()
    {
        await using var origin = await TestOriginServer.StartAsync(new TestOriginOptions { Name = "primary" });
        var received = new TaskCompletionSource<(string ContentType, byte[] Body)>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var collector = await StartCollectorAsync(received);
        var endpoint = new Uri(collector.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/v1/metrics");
        var proxy = await ProxyInstance.StartAsync(ProxySettings.TwoOrigins(origin.BaseAddress)
            .With("EdgeProxy:Observability:Otlp:Endpoint", endpoint.ToString())
            .With("EdgeProxy:Observability:Otlp:Protocol", "HttpProtobuf"));
        await using (proxy)
        {
            using var response = await proxy.Client.GetAsync("/otlp?size=10");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await proxy.Logs.WaitForAccessLogAsync("/otlp");
            await proxy.App.StopAsync();
        }

        var (contentType, body) = await received.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("application/x-protobuf", contentType);
        Assert.Contains("edgeproxy.requests", Encoding.UTF8.GetString(body), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Otlp_NotConfigured_NothingPushedAndNoLine()
    {
        await using var origin = await TestOriginServer.StartAsync();
        await using var proxy = await ProxyInstance.StartAsync(ProxySettings.TwoOrigins(origin.BaseAddress));

        Assert.DoesNotContain(proxy.Logs.Lines, l => l.EventId.Id == 5030);
    }

    private static async Task<WebApplication> StartCollectorAsync(TaskCompletionSource<(string, byte[])> received)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapPost("/v1/metrics", async (HttpContext context) =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            var body = buffer.ToArray();
            if (Encoding.UTF8.GetString(body).Contains("edgeproxy.requests", StringComparison.Ordinal))
            {
                received.TrySetResult((context.Request.ContentType ?? "", body));
            }

            return Results.Ok();
        });
        await app.StartAsync();
        return app;
    }
}
