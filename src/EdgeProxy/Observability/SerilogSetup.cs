using Serilog;
using Serilog.Settings.Configuration;

namespace EdgeProxy.Observability;

/// <summary>
/// The one place Serilog is configured: from the <c>Serilog</c> configuration section (console sink
/// by default). Everything else logs through <c>ILogger&lt;T&gt;</c>.
/// </summary>
internal static class SerilogSetup
{
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
    }
}
