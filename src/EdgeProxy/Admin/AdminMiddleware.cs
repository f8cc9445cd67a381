using System.Text;

namespace EdgeProxy.Admin;

/// <summary>
/// Serves the admin listener: <c>/healthz</c> (the process is alive) and <c>/readyz</c> (send traffic
/// here; 503 while starting or draining), both open to load balancers; the operator endpoints of
/// <see cref="AdminApi"/>. Everything else on that listener is 404: admin requests never reach an origin.
/// </summary>
internal sealed class AdminMiddleware
{
    private static readonly byte[] Ok = Encoding.ASCII.GetBytes("ok\n");

    private readonly ReadinessState _readiness;
    private readonly AdminApi? _api;

    public AdminMiddleware(RequestDelegate next, ReadinessState readiness, IServiceProvider services)
    {
        _ = next; // terminal for the admin listener
        _readiness = readiness;
        _api = services.GetService<AdminApi>();
    }

    public Task InvokeAsync(HttpContext context)
    {
        var response = context.Response;
        response.Headers.CacheControl = "no-store";
        response.ContentType = "text/plain; charset=utf-8";
        switch (context.Request.Path.Value)
        {
            case "/healthz":
                return WriteAsync(context, StatusCodes.Status200OK, Ok);
            case "/readyz":
                return _readiness.IsReady
                    ? WriteAsync(context, StatusCodes.Status200OK, Encoding.ASCII.GetBytes("ready\n"))
                    : WriteAsync(context, StatusCodes.Status503ServiceUnavailable, Encoding.ASCII.GetBytes(_readiness.Describe() + "\n"));
            default:
                return _api is null ? NotFoundAsync(context) : HandleApiAsync(context, _api);
        }
    }

    private static async Task HandleApiAsync(HttpContext context, AdminApi api)
    {
        // Purges by prefix or tag walk the store and /metrics formats every instrument: leave the socket's I/O thread
        // first (EdgeProxy:Transport:InlineScheduling runs requests on it), so an admin call never holds up proxied connections.
        await Task.Yield();
        await (api.TryHandle(context) ?? NotFoundAsync(context));
    }

    private static Task NotFoundAsync(HttpContext context) =>
        WriteAsync(context, StatusCodes.Status404NotFound, Encoding.ASCII.GetBytes("not found\n"));

    private static Task WriteAsync(HttpContext context, int status, byte[] body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentLength = body.Length;
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : context.Response.Body.WriteAsync(body).AsTask();
    }
}
