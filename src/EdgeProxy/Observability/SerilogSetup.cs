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

    public static void AddEdgeProxySerilog(this ILoggingBuilder logging, IConfiguration configuration)
    {
        var readerOptions = new ConfigurationReaderOptions(typeof(ConsoleLoggerConfigurationExtensions).Assembly)
        {
            SectionName = "Serilog",
        };
        var logger = new LoggerConfiguration()
            .ReadFrom.Configuration(configuration, readerOptions)
            .CreateLogger();
        logging.ClearProviders();
        logging.AddSerilog(logger, dispose: true);

        // ASP.NET Core hosting starts an Activity and a logging scope for every request when its diagnostics category
        // is enabled at any level (~700 bytes per request, most of a cache hit's allocation). It only logs per-request
        // Information/Debug lines there, below the Warning that Microsoft.* is configured at, and the access log is the
        // request log. An ActivityListener (tracing) still gets its activities: hosting also starts one when someone listens.
        logging.AddFilter<Serilog.Extensions.Logging.SerilogLoggerProvider>(HostingDiagnosticsCategory, LogLevel.None); // per provider: AddSerilog adds a provider rule that a category-only rule would not beat
    }
}
