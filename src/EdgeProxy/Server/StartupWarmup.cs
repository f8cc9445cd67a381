using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime;
using System.Runtime.InteropServices;
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
/// (docs/benchmarks.md "Start-up warm-up"). Then rounds of hits on many connections until the JIT has settled (at most
/// <see cref="WarmupOptions.HitDuration"/>), so the hit path under load is already at its final tier when the first
/// clients come: without hits a fresh node's first 10 s of small hits ran at 70–80 % of a warm node's rate, its p99
/// several times higher, and hits on one connection left the methods only many connections use in tiered PGO's
/// slower instrumented code for seconds of the first load (docs/benchmarks.md, "Hits until the JIT settles"). No request
/// leaves the machine and nothing reaches the real cache. Bounded by <see cref="WarmupOptions.Timeout"/>; a failure is reported on the start-up line, never fatal.
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

    /// <summary>How long each round of hits sends (<see cref="HitAsync"/>).</summary>
    private static readonly TimeSpan Burst = TimeSpan.FromMilliseconds(250);

    /// <summary>The quiet after each round's hits: longer than the runtime's call-counting delay (100 ms), so it runs out.</summary>
    private static readonly TimeSpan Idle = TimeSpan.FromMilliseconds(150);

    /// <summary>A round in which the JIT compiled fewer methods than this finds it settled.</summary>
    private const int Settled = 16;

    /// <summary>The cold key: the origin sends the head and 16 KiB, then waits for the gate <c>rest</c>.</summary>
    private static readonly string Shared =
        $"/warmup/shared?size={SharedSize}&chunks=4&body_gate=rest&gate_after=16384&etag=%22w1%22&cc=public%2C%20max-age%3D60";

    /// <summary>Runs the warm-up; <paramref name="stopping"/> (a stop signal) ends it early, reported as such.</summary>
    public static async Task<WarmupResult> RunAsync(IConfiguration real, WarmupOptions options, CancellationToken stopping = default)
    {
        if (!options.Enabled)
        {
            return WarmupResult.Off;
        }

        var clock = Stopwatch.StartNew();
        var requests = 0;
        var hits = (Count: 0, Rounds: 0, Settled: false);
        var paths = TimeSpan.Zero;
        using var timeout = new CancellationTokenSource(options.Timeout);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, stopping);
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
                    if (options.HitDuration > TimeSpan.Zero)
                    {
                        using var fill = await client.GetAsync(Small, deadline.Token);
                        await ExpectAsync(fill, HttpStatusCode.OK, 1024, deadline.Token);
                    }

                    hits = await HitAsync(address, options.HitConnections, options.HitDuration, deadline.Token);
                }
                finally
                {
                    await proxy.StopAsync(CancellationToken.None);
                }
            }

            return new WarmupResult(true, requests, paths, null)
            {
                Hits = hits.Count, Connections = options.HitConnections, Rounds = hits.Rounds, JitSettled = hits.Settled, Total = clock.Elapsed,
            };
        }
        catch (Exception ex) // the warm-up is an optimisation: whatever goes wrong, the proxy starts and the start-up line says why
        {
            var why = stopping.IsCancellationRequested ? "stopped by a signal"
                : timeout.IsCancellationRequested ? $"timed out after {options.Timeout.TotalSeconds:0.#} s"
                : ex.GetType().Name + ": " + ex.Message;
            return new WarmupResult(true, requests, clock.Elapsed, why);
        }
    }

    /// <summary>
    /// Takes SIGTERM, SIGINT and SIGQUIT while the warm-up runs (before the host's own handlers exist): each cancels
    /// <paramref name="stop"/> instead of its default action. Dispose to give them back.
    /// </summary>
    public static IDisposable StopSignals(CancellationTokenSource stop)
    {
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }

        return new Registrations([
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal),
            PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal),
            PosixSignalRegistration.Create(PosixSignal.SIGQUIT, OnSignal),
        ]);
    }

    private sealed class Registrations(PosixSignalRegistration[] all) : IDisposable
    {
        public void Dispose() => Array.ForEach(all, registration => registration.Dispose());
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
    /// Rounds of hits until the JIT has settled: in each, <paramref name="connections"/> connections send hits on the
    /// small and the shared body in turn for <see cref="Burst"/>, then all wait <see cref="Idle"/>. The runtime holds
    /// call counting and tier-1 compilation back while methods are still being called for the first time (its
    /// call-counting delay, 100 ms, renewed by every new one), so a quiet moment under load says nothing; the idle
    /// part lets the delay run out every round, and the next burst's calls promote what the last one made hot. The JIT
    /// has settled when a round compiles fewer than <see cref="Settled"/> methods (a load's hot methods come through in
    /// batches of hundreds): then the hit path under many connections is at its final tier. At most
    /// <paramref name="limit"/>; returns the hits, the rounds and whether the JIT settled.
    /// </summary>
    private static async Task<(int Hits, int Rounds, bool Settled)> HitAsync(
        Uri address, int connections, TimeSpan limit, CancellationToken cancellationToken)
    {
        if (limit <= TimeSpan.Zero)
        {
            return (0, 0, false);
        }

        (string Path, byte[] Request, int Size)[] targets =
            [(Small, RawHttpClient.EncodeGet(Small, "warmup"), 1024), (Shared, RawHttpClient.EncodeGet(Shared, "warmup"), SharedSize)];
        var open = new List<RawHttpClient>(connections);
        try
        {
            for (var i = 0; i < connections; i++)
            {
                open.Add(await RawHttpClient.ConnectAsync(address, cancellationToken));
            }

            var hits = 0;
            var rounds = 0;
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < limit)
            {
                var before = JitInfo.GetCompiledMethodCount();
                var burst = Stopwatch.StartNew();
                var counts = await Task.WhenAll(open.Select((connection, i) => Task.Run(async () =>
                {
                    var sent = 0;
                    while (burst.Elapsed < Burst)
                    {
                        var (path, request, size) = targets[(i + sent) % targets.Length];
                        var (status, length) = await connection.SendAsync(request, cancellationToken);
                        if (status != 200 || length != size)
                        {
                            throw new InvalidOperationException($"GET {path}: {status} with {length} bytes, expected 200 with {size}");
                        }

                        sent++;
                    }

                    return sent;
                }, cancellationToken)));
                hits += counts.Sum();
                await Task.Delay(Idle, cancellationToken);
                rounds++;
                if (JitInfo.GetCompiledMethodCount() - before < Settled)
                {
                    return (hits, rounds, true);
                }
            }

            return (hits, rounds, false);
        }
        finally
        {
            open.ForEach(connection => connection.Dispose());
        }
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

    /// <summary>The connections the hits were sent on at once.</summary>
    public int Connections { get; init; }

    /// <summary>Rounds of hits (each a burst and a pause).</summary>
    public int Rounds { get; init; }

    /// <summary>Whether the JIT settled (a round compiled next to nothing) before the hits' time was up.</summary>
    public bool JitSettled { get; init; }

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
        (true, null) => $"{Requests} requests in {Elapsed.TotalMilliseconds:0} ms, then {Hits} hits on {Connections} connections in {Rounds} rounds {(JitSettled ? "until the JIT settled" : "(the JIT still busy)")}, {Total.TotalMilliseconds:0} ms in all",
        _ => $"failed after {Requests} requests in {Elapsed.TotalMilliseconds:0} ms ({Failure})",
    };
}

/// <summary>Holds the warm-up's result from Program.cs (which runs it before the listeners open) for the start-up line.</summary>
internal sealed class WarmupReport
{
    public WarmupResult Result { get; set; } = WarmupResult.NotRun;
}
