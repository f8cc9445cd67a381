using EdgeProxy.Configuration;
using EdgeProxy.Observability;
using EdgeProxy.Tests.TestSupport;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EdgeProxy.Tests.Observability;

/// <summary>
/// The access log's middleware ends every request the same way however the rest of the pipeline ends it (at once, later,
/// or by throwing, now or later): one line with the status, the response body feature given back.
/// </summary>
public sealed class AccessLogMiddlewareTests
{
    public enum Ending
    {
        Synchronous,
        Asynchronous,
        ThrowsNow,
        FaultsLater,
    }

    [Theory]
    [InlineData(Ending.Synchronous, " 204 ")]
    [InlineData(Ending.Asynchronous, " 204 ")]
    [InlineData(Ending.ThrowsNow, " 500 ")]
    [InlineData(Ending.FaultsLater, " 500 ")]
    public async Task EveryEnding_LogsOneLine_AndGivesTheBodyFeatureBack(Ending ending, string status)
    {
        var later = new TaskCompletionSource();
        RequestDelegate next = ending switch
        {
            Ending.Synchronous => c => { c.Response.StatusCode = 204; return Task.CompletedTask; },
            Ending.Asynchronous => async c => { c.Response.StatusCode = 204; await later.Task; },
            Ending.ThrowsNow => _ => throw new InvalidOperationException("boom"),
            _ => async _ => { await later.Task; throw new InvalidOperationException("boom"); },
        };
        var (messages, context, served) = await RunAsync(next, enabled: true, later: later);

        Assert.Equal(ending is Ending.ThrowsNow or Ending.FaultsLater, served.IsFaulted);
        Assert.Contains(status, Assert.Single(messages), StringComparison.Ordinal);
        Assert.IsNotType<CountingResponseBodyFeature>(context.Features.Get<IHttpResponseBodyFeature>());
    }

    [Fact]
    public async Task AbortedRequest_IsSaidSoInTheLine()
    {
        using var aborted = new CancellationTokenSource();
        await aborted.CancelAsync();

        var (messages, _, _) = await RunAsync(_ => Task.CompletedTask, enabled: true, aborted: aborted.Token);

        Assert.Contains("detail=\"client aborted\"", Assert.Single(messages), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AccessLogOff_WritesNothing_AndStillGivesTheBodyFeatureBack()
    {
        var (messages, context, _) = await RunAsync(_ => Task.CompletedTask, enabled: false);

        Assert.Empty(messages);
        Assert.IsNotType<CountingResponseBodyFeature>(context.Features.Get<IHttpResponseBodyFeature>());
    }

    private static async Task<(List<string> Messages, HttpContext Context, Task Served)> RunAsync(
        RequestDelegate next, bool enabled, TaskCompletionSource? later = null, CancellationToken aborted = default)
    {
        var messages = new List<string>();
        using var factory = LoggerFactory.Create(b => b.AddProvider(new CapturingLoggerProvider(messages)));
        var options = new EdgeProxyOptions();
        options.AccessLog.Enabled = enabled;
        var writer = new AccessLogWriter(factory, new StaticOptionsMonitor<EdgeProxyOptions>(options), new ServiceCollection().BuildServiceProvider());
        await writer.StartAsync(CancellationToken.None);
        var context = new DefaultHttpContext { RequestAborted = aborted };
        context.Request.Method = "GET";
        context.Request.Path = "/logged";
        var middleware = new AccessLogMiddleware(next, writer, new ServiceCollection().BuildServiceProvider());

        Task served;
        try
        {
            served = middleware.InvokeAsync(context);
        }
        catch (InvalidOperationException ex)
        {
            served = Task.FromException(ex);
        }

        later?.SetResult();
        try
        {
            await served;
        }
        catch (InvalidOperationException)
        {
            // the failure the pipeline threw goes on to Kestrel; the test checks the task's state
        }

        await writer.StopAsync(CancellationToken.None);
        return (messages, context, served);
    }
}
