using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace EdgeProxy.TestOrigin;

/// <summary>
/// A controllable HTTP origin on loopback, for functional tests, the demo and benchmarks.
/// Every path answers; the query string steers the answer (see README "Test origin"):
/// <c>status, size, delay_ms, chunks, chunk_ms, cc, etag, lm, vary, expires, te=chunked, hang=1,
/// abort_after, abort_count, echo=1, gate, body_gate, gate_after, ranges=1, h.Name=value</c>.
/// <c>/__stats[?path=/p]</c> returns counters as JSON; <c>/__reset</c> clears them.
/// </summary>
public sealed partial class TestOriginServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TestOriginOptions _options;

    private TestOriginServer(WebApplication app, TestOriginOptions options)
    {
        _app = app;
        _options = options;
    }

    public Uri BaseAddress { get; private set; } = null!;

    public int Port => BaseAddress.Port;

    public string Name => _options.Name;

    public RequestCounters Counters { get; } = new();

    public OriginGates Gates { get; } = new();

    /// <summary>Status forced on every request (a failing primary); null for normal behaviour. May change at run time.</summary>
    public int? ForceStatus
    {
        get => _options.ForceStatus;
        set => _options.ForceStatus = value;
    }

    /// <summary>Optional hook run for each counted request before the default handling; return true when it answered.</summary>
    public Func<HttpContext, Task<bool>>? Intercept { get; set; }

    /// <summary>Request headers of the last request per path, for assertions on what the proxy sent.</summary>
    public IReadOnlyDictionary<string, IHeaderDictionary> LastRequestHeaders => _lastHeaders;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, IHeaderDictionary> _lastHeaders = new(StringComparer.Ordinal);

    public static async Task<TestOriginServer> StartAsync(TestOriginOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new TestOriginOptions();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = typeof(TestOriginServer).Assembly.GetName().Name });
        builder.Logging.ClearProviders();
        builder.Configuration.Sources.Clear(); // never the host's Kestrel__Endpoints__* (the demo runs inside EdgeProxy's process)
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.ResponseHeaderEncodingSelector = static _ => System.Text.Encoding.Latin1; // h.X may carry obs-text
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = null;
            k.Listen(IPAddress.Loopback, options.Port, listen => listen.Protocols = options.Http2Only ? Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http2 : listen.Protocols);
        });
        var app = builder.Build();
        var server = new TestOriginServer(app, options);
        app.UseWebSockets();
        app.Run(server.HandleAsync);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseAddress = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        return server;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        if (path == "/__stats")
        {
            await WriteStatsAsync(context);
            return;
        }

        if (path == "/__reset")
        {
            Counters.Reset();
            context.Response.StatusCode = 204;
            return;
        }

        var n = Counters.Increment(path);
        _lastHeaders[path] = new HeaderDictionary(context.Request.Headers.ToDictionary(h => h.Key, h => h.Value, StringComparer.OrdinalIgnoreCase));
        Gates.SignalReceived(path, n);
        var response = context.Response;
        response.Headers["X-Origin"] = _options.Name;
        response.Headers["X-Origin-Count"] = n.ToString(CultureInfo.InvariantCulture);

        if (Intercept is { } intercept && await intercept(context))
        {
            return;
        }

        var q = context.Request.Query;
        var ct = context.RequestAborted;
        if (context.WebSockets.IsWebSocketRequest)
        {
            await EchoWebSocketAsync(context, ct);
            return;
        }

        if (q["gate"] is { Count: > 0 } gate)
        {
            await Gates.WaitAsync(gate.ToString(), ct);
        }

        if (Int(q, "delay_ms") is { } delay and > 0)
        {
            await Task.Delay(delay, ct);
        }

        if (q["hang"] == "1")
        {
            // Accepts and reads the request, never answers: the "silent origin".
            await Task.Delay(Timeout.Infinite, ct);
            return;
        }

        if (q["echo"] == "1")
        {
            await EchoAsync(context, n);
            return;
        }

        var status = Int(q, "status") ?? _options.ForceStatus ?? 200;
        var size = Int(q, "size") ?? 0;
        var etag = q["etag"].ToString();
        if (etag == "auto")
        {
            etag = $"\"{path.GetHashCode(StringComparison.Ordinal) & 0xFFFFFF:x}-{size}\"";
        }

        if (etag.Length > 0)
        {
            response.Headers.ETag = etag;
        }

        var cc = q["cc"];
        if (cc.Count > 0)
        {
            response.Headers.CacheControl = cc;
        }

        if (q["lm"] is { Count: > 0 } lm)
        {
            response.Headers.LastModified = long.TryParse(lm, NumberStyles.Integer, CultureInfo.InvariantCulture, out var secondsAgo)
                ? DateTimeOffset.UtcNow.AddSeconds(-secondsAgo).ToString("R", CultureInfo.InvariantCulture)
                : lm.ToString();
        }

        if (q["expires"] is { Count: > 0 } expires)
        {
            response.Headers.Expires = expires;
        }

        if (q["vary"] is { Count: > 0 } vary)
        {
            response.Headers.Vary = vary;
        }

        foreach (var (key, value) in q)
        {
            if (key.StartsWith("h.", StringComparison.Ordinal))
            {
                response.Headers.Append(key[2..], value);
            }
        }

        if (status == 200 && IsNotModified(context.Request, etag, response.Headers.LastModified))
        {
            response.StatusCode = 304;
            return;
        }

        response.StatusCode = status;
        if (status is 204 or 304 || HttpMethods.IsHead(context.Request.Method) && q["head_body"] != "1")
        {
            if (status is not (204 or 304))
            {
                response.ContentLength = size;
            }

            await response.StartAsync(ct);
            Gates.SignalHeadersSent(path, n);
            return;
        }

        if (q["ranges"] == "1" && status == 200 && TryRangeStart(context.Request, etag, size) is { } from)
        {
            await WriteRangeAsync(context, path, from, size, n, ct);
            return;
        }

        var chunked = q["te"] == "chunked";
        if (!chunked)
        {
            response.ContentLength = size;
        }

        response.ContentType ??= "application/octet-stream";
        await response.StartAsync(ct);
        await response.Body.FlushAsync(ct);
        Gates.SignalHeadersSent(path, n);

        var abortAfter = Int(q, "abort_after");
        var abortCount = Int(q, "abort_count") ?? int.MaxValue;
        var abortThis = abortAfter is not null && n <= abortCount;
        await WriteBodyAsync(context, path, size, q, abortThis ? abortAfter : null, ct);
    }

    private static int? Int(IQueryCollection q, string key) =>
        q.TryGetValue(key, out var v) && int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? i : null;

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _app.StopAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
        }

        await _app.DisposeAsync();
    }
}
