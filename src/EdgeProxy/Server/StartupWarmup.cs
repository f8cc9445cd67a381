using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime;
using EdgeProxy.Admin;
using EdgeProxy.Configuration;
using EdgeProxy.TestOrigin;

namespace EdgeProxy.Server;

/// <summary>
/// Before the proxy's listeners open, runs a private EdgeProxy instance (the same code, on loopback listeners with
/// ephemeral ports, in front of an in-process origin, logging nothing) through the paths a cold node's first clients
/// take: a miss collapsed onto one fill and streamed to several clients, hits, HEAD, Range, a conditional request,
/// an uncacheable response, a request body. The JIT compiles those paths there, so the first real clients do not
/// wait for it: a fresh process answered a herd of 200 on one cold key 150–300 ms later than a warm one
/// (docs/benchmarks.md "Start-up warm-up"). Then hits until the JIT has gone quiet (at most
/// <see cref="WarmupOptions.HitDuration"/>), so the hit path is already optimised code when the first clients come:
/// without them a fresh node's first 10 s of small hits ran at 70–80 % of a warm node's rate, its p99 several times
/// higher (same section). No request leaves the machine and nothing reaches the real cache.
/// Bounded by <see cref="WarmupOptions.Timeout"/>; a failure is reported on the start-up line, never fatal.
/// </summary>
internal static class StartupWarmup
{
    /// <summary>Requests the warm-up sends when all goes well: the collapsed clients, the hits, then HEAD, Range, 304, a Range miss, 2 uncacheable, a POST.</summary>
    public const int Requests = Clients + Hits + 7;

    private const int Clients = 8;
    private const int Hits = 3;
    private const int SharedSize = 256 * 1024;

    /// <summary>A small stored body: hits on it are copied, while the shared one goes by sendfile where zero-copy is on.</summary>
    private const string Small = "/warmup/small?size=1024&cc=max-age%3D60";

    /// <summary>The JIT counts as quiet once it has compiled nothing for this long (it tiers hot methods up in batches, 100 ms after their 30th call).</summary>
    private static readonly TimeSpan JitQuiet = TimeSpan.FromMilliseconds(300);

    /// <summary>The cold key: the origin sends the head and 16 KiB, then waits for the gate <c>rest</c>.</summary>
    private static readonly string Shared =
        $"/warmup/shared?size={SharedSize}&chunks=4&body_gate=rest&gate_after=16384&etag=%22w1%22&cc=public%2C%20max-age%3D60";

    public static async Task<WarmupResult> RunAsync(IConfiguration real, WarmupOptions options)
    {
        if (!options.Enabled)
        {
            return WarmupResult.Off;
        }

        var clock = Stopwatch.StartNew();
        var requests = 0;
        var hits = 0;
        var jitQuiet = false;
        var paths = TimeSpan.Zero;
        using var deadline = new CancellationTokenSource(options.Timeout);
        try
        {
            await using var origin = await TestOriginServer.StartAsync(new TestOriginOptions { Name = "warmup" }, deadline.Token);
            var proxy = EdgeProxyHost.BuildIsolated(Settings(real, origin.BaseAddress));
            await using (proxy)
            {
                await proxy.StartAsync(deadline.Token);
                try
                {
                    var address = proxy.Services.GetRequiredService<EdgeProxyListeners>().ProxyAddresses[0];
                    using var client = new HttpClient(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = address };
                    requests = await DriveAsync(client, origin, deadline.Token);
                    paths = clock.Elapsed;
                    (hits, jitQuiet) = await HitAsync(client, options.HitDuration, deadline.Token);
                }
                finally
                {
                    await proxy.StopAsync(CancellationToken.None);
                }
            }

            return new WarmupResult(true, requests, paths, null) { Hits = hits, JitQuiet = jitQuiet, Total = clock.Elapsed };
        }
        catch (Exception ex) // the warm-up is an optimisation: whatever goes wrong, the proxy starts and the start-up line says why
        {
            var why = deadline.IsCancellationRequested ? $"timed out after {options.Timeout.TotalSeconds:0.#} s" : ex.GetType().Name + ": " + ex.Message;
            return new WarmupResult(true, requests, clock.Elapsed, why);
        }
    }

    /// <summary>The private instance's whole configuration: loopback listeners, one route to the warm-up origin, the real transport settings.</summary>
    internal static Dictionary<string, string?> Settings(IConfiguration real, Uri origin)
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            [$"Kestrel:Endpoints:{AdminOptions.ProxyEndpointName}:Url"] = "http://127.0.0.1:0",
            [$"Kestrel:Endpoints:{AdminOptions.EndpointName}:Url"] = "http://127.0.0.1:0",
            ["ReverseProxy:Routes:warmup:ClusterId"] = "warmup",
            ["ReverseProxy:Routes:warmup:Match:Path"] = "{**catch-all}",
            ["ReverseProxy:Clusters:warmup:Destinations:origin:Address"] = origin.ToString(),
            [$"{EdgeProxyOptions.SectionName}:NodeName"] = "warmup",
            [$"{EdgeProxyOptions.SectionName}:AccessLog:Enabled"] = "false",
            [$"{EdgeProxyOptions.SectionName}:Lifecycle:DrainDelay"] = "00:00:00",
            [$"{EdgeProxyOptions.SectionName}:Lifecycle:DrainTimeout"] = "00:00:02",
            ["Serilog:MinimumLevel:Default"] = "Fatal",
        };
        foreach (var (key, value) in real.GetSection($"{EdgeProxyOptions.SectionName}:Transport").AsEnumerable())
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>The requests, in an order that exercises each path; returns how many were sent.</summary>
    private static async Task<int> DriveAsync(HttpClient client, TestOriginServer origin, CancellationToken cancellationToken)
    {
        // Every client has joined the one fill once it has the head (the origin holds the rest of the body until then).
        var heads = await Task.WhenAll(Enumerable.Range(0, Clients)
            .Select(_ => client.GetAsync(Shared, HttpCompletionOption.ResponseHeadersRead, cancellationToken)));
        origin.Gates.Release("rest");
        foreach (var response in heads)
        {
            using (response)
            {
                await ExpectAsync(response, HttpStatusCode.OK, SharedSize, cancellationToken);
            }
        }

        var sent = Clients;
        async Task SendAsync(HttpMethod method, string path, HttpStatusCode status, int? length, Action<HttpRequestHeaders>? headers = null, HttpContent? content = null)
        {
            using var request = new HttpRequestMessage(method, path) { Content = content };
            headers?.Invoke(request.Headers);
            using var response = await client.SendAsync(request, cancellationToken);
            sent++;
            await ExpectAsync(response, status, length, cancellationToken);
        }

        for (var i = 0; i < Hits; i++)
        {
            await SendAsync(HttpMethod.Get, Shared, HttpStatusCode.OK, SharedSize);
        }

        await SendAsync(HttpMethod.Head, Shared, HttpStatusCode.OK, 0);
        await SendAsync(HttpMethod.Get, Shared, HttpStatusCode.PartialContent, 1024, h => h.Range = new RangeHeaderValue(0, 1023));
        await SendAsync(HttpMethod.Get, Shared, HttpStatusCode.NotModified, 0, h => h.IfNoneMatch.Add(new EntityTagHeaderValue("\"w1\"")));
        await SendAsync(HttpMethod.Get, "/warmup/range?size=65536&cc=max-age%3D60", HttpStatusCode.PartialContent, 100, h => h.Range = new RangeHeaderValue(100, 199));
        await Task.WhenAll(
            SendAsync(HttpMethod.Get, "/warmup/private?size=2048&cc=private", HttpStatusCode.OK, 2048),
            SendAsync(HttpMethod.Get, "/warmup/private?size=2048&cc=private", HttpStatusCode.OK, 2048));
        await SendAsync(HttpMethod.Post, "/warmup/post?size=512", HttpStatusCode.OK, 512, content: new ByteArrayContent(new byte[8192]));
        return sent;
    }

    /// <summary>
    /// Hits on the small and the shared body in turn, one at a time, until the JIT has compiled nothing for
    /// <see cref="JitQuiet"/> while they ran (their methods have been through every tier) or for at most
    /// <paramref name="limit"/>; returns how many and whether the JIT went quiet.
    /// </summary>
    private static async Task<(int Hits, bool JitQuiet)> HitAsync(HttpClient client, TimeSpan limit, CancellationToken cancellationToken)
    {
        if (limit <= TimeSpan.Zero)
        {
            return (0, false);
        }

        using (var fill = await client.GetAsync(Small, cancellationToken))
        {
            await ExpectAsync(fill, HttpStatusCode.OK, 1024, cancellationToken);
        }

        (string Path, int Size)[] targets = [(Small, 1024), (Shared, SharedSize)];
        var hits = 0;
        var clock = Stopwatch.StartNew();
        var compiled = JitInfo.GetCompiledMethodCount();
        var quietSince = TimeSpan.Zero;
        while (clock.Elapsed < limit)
        {
            foreach (var (path, size) in targets)
            {
                using var response = await client.GetAsync(path, cancellationToken);
                await ExpectAsync(response, HttpStatusCode.OK, size, cancellationToken);
                hits++;
            }

            var now = JitInfo.GetCompiledMethodCount();
            if (now != compiled)
            {
                compiled = now;
                quietSince = clock.Elapsed;
            }
            else if (clock.Elapsed - quietSince >= JitQuiet)
            {
                return (hits, true);
            }
        }

        return (hits, false);
    }

    private static async Task ExpectAsync(HttpResponseMessage response, HttpStatusCode status, int? length, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        if (response.StatusCode != status || (length is { } expected && body.Length != expected))
        {
            throw new InvalidOperationException(
                $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.PathAndQuery}: {(int)response.StatusCode} with {body.Length} bytes, expected {(int)status}{(length is { } l ? $" with {l}" : "")}");
        }
    }
}

/// <summary>What the start-up warm-up did, for the start-up line.</summary>
internal sealed record WarmupResult(bool Ran, int Requests, TimeSpan Elapsed, string? Failure)
{
    /// <summary>Hits sent after the paths' <see cref="Requests"/> (<see cref="WarmupOptions.HitDuration"/>).</summary>
    public int Hits { get; init; }

    /// <summary>Whether the JIT went quiet before the hits' time was up.</summary>
    public bool JitQuiet { get; init; }

    /// <summary>The whole warm-up; <see cref="Elapsed"/> is the paths' part.</summary>
    public TimeSpan Total { get; init; }

    public static readonly WarmupResult Off = new(false, 0, TimeSpan.Zero, null);

    /// <summary>The result nobody set (an app built without Program.cs, as in tests).</summary>
    public static readonly WarmupResult NotRun = new(false, 0, TimeSpan.Zero, "not run");

    public override string ToString() => (Ran, Failure) switch
    {
        (false, null) => "off",
        (false, _) => Failure!,
        (true, null) when Hits == 0 => $"{Requests} requests in {Elapsed.TotalMilliseconds:0} ms",
        (true, null) => $"{Requests} requests in {Elapsed.TotalMilliseconds:0} ms, then {Hits} hits {(JitQuiet ? "until the JIT went quiet" : "(the JIT still busy)")}, {Total.TotalMilliseconds:0} ms in all",
        _ => $"failed after {Requests} requests in {Elapsed.TotalMilliseconds:0} ms ({Failure})",
    };
}

/// <summary>Holds the warm-up's result from Program.cs (which runs it before the listeners open) for the start-up line.</summary>
internal sealed class WarmupReport
{
    public WarmupResult Result { get; set; } = WarmupResult.NotRun;
}
