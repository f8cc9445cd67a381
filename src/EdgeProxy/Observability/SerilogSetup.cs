using Serilog;
using Serilog.Settings.Configuration;

namespace EdgeProxy.Observability;

/// <summary>
/// The one place Serilog is configured: from the <c>Serilog</c> configuration section (console sink
/// by default). Everything else logs through <c>ILogger&lt;T&gt;</c>.
/// </summary>
internal static class SerilogSetup
{
    public const string HostingDiagnosticsCategory = "Microsoft.AspNetCore.Hosting.Diagnostics";

    public const string SectionName = "Serilog";

    public static void AddEdgeProxySerilog(this ILoggingBuilder logging, IConfiguration configuration)
    {
        var readerOptions = new ConfigurationReaderOptions(
            typeof(ConsoleLoggerConfigurationExtensions).Assembly,
            typeof(LoggerConfigurationAsyncExtensions).Assembly)
        {
            SectionName = SectionName,
        };
        var logger = new LoggerConfiguration()
            .ReadFrom.Configuration(BehindAsyncSink(configuration), readerOptions)
            .CreateLogger();
        logging.ClearProviders();
        logging.AddSerilog(logger, dispose: true);

        // ASP.NET Core hosting starts an Activity and a logging scope for every request when its diagnostics category
        // is enabled at any level (~700 bytes per request, most of a cache hit's allocation). It only logs per-request
        // Information/Debug lines there, below the Warning that Microsoft.* is configured at, and the access log is the
        // request log. An ActivityListener (tracing) still gets its activities: hosting also starts one when someone listens.
        logging.AddFilter<Serilog.Extensions.Logging.SerilogLoggerProvider>(HostingDiagnosticsCategory, LogLevel.None); // per provider: AddSerilog adds a provider rule that a category-only rule would not beat
    }

    /// <summary>
    /// The <c>Serilog</c> section with every configured sink moved behind one Async sink (Serilog.Sinks.Async: a
    /// bounded queue, 10,000 events, dropped rather than waited for when full), so a request thread never writes a
    /// console or file itself: with inline scheduling (EdgeProxy:Transport:InlineScheduling) a slow stdout would
    /// otherwise stall every connection on that I/O thread. A configuration that already names an Async sink is
    /// used as it is.
    /// </summary>
    internal static IConfiguration BehindAsyncSink(IConfiguration configuration)
    {
        var sinks = configuration.GetSection(SectionName + ":WriteTo");
        var children = sinks.GetChildren().ToList();
        if (children.Count == 0 || children.Any(static c => string.Equals(c["Name"], "Async", StringComparison.OrdinalIgnoreCase)))
        {
            return configuration;
        }

        // A view that re-reads the source on every reload, so Serilog's own reload of MinimumLevel keeps working.
        return new ConfigurationBuilder().Add(new AsyncSinkSource(configuration)).Build();
    }

    /// <summary>The Serilog section with its sinks under one Async sink, re-read whenever the source reloads.</summary>
    private sealed class AsyncSinkSource(IConfiguration source) : IConfigurationSource
    {
        public IConfigurationProvider Build(IConfigurationBuilder builder) => new AsyncSinkProvider(source);
    }

    private sealed class AsyncSinkProvider : ConfigurationProvider
    {
        private readonly IConfiguration _source;

        public AsyncSinkProvider(IConfiguration source)
        {
            _source = source;
            Microsoft.Extensions.Primitives.ChangeToken.OnChange(source.GetReloadToken, () =>
            {
                Load();
                OnReload();
            });
        }

        public override void Load()
        {
            var prefix = SectionName + ":WriteTo:";
            var moved = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
            {
                [prefix + "0:Name"] = "Async",
            };
            foreach (var (key, value) in _source.GetSection(SectionName).AsEnumerable())
            {
                if (value is not null)
                {
                    moved[key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) ? prefix + "0:Args:configure:" + key[prefix.Length..] : key] = value;
                }
            }

            Data = moved;
        }
    }
}
