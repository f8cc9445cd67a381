using System.Globalization;
using EdgeProxy.Configuration;
using EdgeProxy.Server;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;

namespace EdgeProxy.Admin;

/// <summary>
/// One log line once the listeners are bound: node name, proxy and admin addresses, routes, clusters
/// with their destinations, and the cache size from configuration, so an operator reading the log of
/// a restarted node sees what it is running with.
/// </summary>
internal sealed partial class StartupReport : IHostedLifecycleService
{
    private readonly EdgeProxyListeners _listeners;
    private readonly IConfiguration _configuration;
    private readonly ILogger<StartupReport> _logger;
    private readonly IOptions<SocketTransportOptions> _sockets;
    private readonly WarmupReport _warmup;

    public StartupReport(EdgeProxyListeners listeners, IConfiguration configuration, ILogger<StartupReport> logger, IOptions<SocketTransportOptions> sockets, WarmupReport warmup)
    {
        _listeners = listeners;
        _configuration = configuration;
        _logger = logger;
        _sockets = sockets;
        _warmup = warmup;
    }

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        if (!_logger.IsEnabled(LogLevel.Information))
        {
            return Task.CompletedTask;
        }

        var node = _configuration[$"{EdgeProxyOptions.SectionName}:NodeName"] ?? "edgeproxy";
        var proxy = string.Join(", ", _listeners.ProxyAddresses);
        var admin = string.Join(", ", _listeners.AdminAddresses);
        var routes = _configuration.GetSection("ReverseProxy:Routes").GetChildren().Count();
        var clusters = string.Join(", ", _configuration.GetSection("ReverseProxy:Clusters").GetChildren()
            .Select(c => $"{c.Key} [{string.Join(" ", c.GetSection("Destinations").GetChildren().Select(d => d["Address"]))}]"));
        var cacheSize = CacheSize();
        var scheduling = Scheduling();
        var warmup = _warmup.Result.ToString();
        Started(_logger, node, proxy, admin, routes, clusters, cacheSize, scheduling, warmup);
        return Task.CompletedTask;
    }

    /// <summary>The cache's configured size ("off" when disabled); read from configuration so it holds whatever the caching layer binds.</summary>
    private string CacheSize()
    {
        var caching = _configuration.GetSection($"{EdgeProxyOptions.SectionName}:Caching");
        if (bool.TryParse(caching["Enabled"], out var enabled) && !enabled)
        {
            return "off";
        }

        return long.TryParse(caching["SizeLimitBytes"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var bytes)
            ? $"{bytes / (1024.0 * 1024):0.#} MiB"
            : "default";
    }

    /// <summary>Where request processing runs (EdgeProxy:Transport:InlineScheduling), as Kestrel and the runtime were told.</summary>
    private string Scheduling()
    {
        var runtime = Environment.GetEnvironmentVariable(InlineScheduling.RuntimeVariable) == "1";
        return (_sockets.Value.UnsafePreferInlineScheduling, runtime) switch
        {
            (true, true) => "inline",
            (true, false) => $"inline in Kestrel, socket completions on the thread pool ({InlineScheduling.RuntimeVariable} is not 1)",
            (false, true) => $"thread pool in Kestrel, socket completions inline ({InlineScheduling.RuntimeVariable}=1)",
            _ => "thread pool",
        };
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 5002, Level = LogLevel.Information,
        Message = "EdgeProxy {Node} started: proxy {ProxyListeners}, admin {AdminListeners}; {Routes} routes; clusters {Clusters}; cache {CacheSize}; I/O {Scheduling}; warm-up {Warmup}")]
    private static partial void Started(ILogger logger, string node, string proxyListeners, string adminListeners, int routes, string clusters, string cacheSize, string scheduling, string warmup);
}
