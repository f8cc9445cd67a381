using EdgeProxy.Configuration;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;

namespace EdgeProxy.Observability;

/// <summary>
/// Pushes the <see cref="EdgeProxyMeter.Name"/> meter with the OpenTelemetry OTLP exporter when
/// <c>EdgeProxy:Observability:Otlp:Endpoint</c> is set. The MeterProvider is built by hand (the
/// OpenTelemetry hosting package is not available here) and flushed and disposed on stop.
/// </summary>
internal sealed partial class OtlpMetricsExporter : IHostedService, IDisposable
{
    private readonly IOptions<EdgeProxyOptions> _options;
    private readonly ILogger<OtlpMetricsExporter> _logger;
    private MeterProvider? _provider;

    public OtlpMetricsExporter(IOptions<EdgeProxyOptions> options, ILogger<OtlpMetricsExporter> logger)
    {
        _options = options;
        _logger = logger;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var otlp = _options.Value.Observability.Otlp;
        if (string.IsNullOrWhiteSpace(otlp.Endpoint))
        {
            return Task.CompletedTask;
        }

        var protocol = ParseProtocol(otlp.Protocol) ?? OtlpExportProtocol.Grpc;
        _provider = Sdk.CreateMeterProviderBuilder()
            .AddMeter(EdgeProxyMeter.Name)
            .AddOtlpExporter((exporter, reader) =>
            {
                exporter.Endpoint = new Uri(otlp.Endpoint);
                exporter.Protocol = protocol;
                if (!string.IsNullOrEmpty(otlp.Headers))
                {
                    exporter.Headers = otlp.Headers;
                }

                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)otlp.ExportInterval.TotalMilliseconds;
            })
            .Build();
        var protocolName = protocol.ToString();
        Pushing(_logger, otlp.Endpoint, protocolName, otlp.ExportInterval.TotalSeconds);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _provider?.ForceFlush(5000);
        return Task.CompletedTask;
    }

    public void Dispose() => _provider?.Dispose();

    internal static OtlpExportProtocol? ParseProtocol(string value) =>
        value.Equals("Grpc", StringComparison.OrdinalIgnoreCase) ? OtlpExportProtocol.Grpc
        : value.Equals("HttpProtobuf", StringComparison.OrdinalIgnoreCase) ? OtlpExportProtocol.HttpProtobuf
        : null;

    [LoggerMessage(EventId = 5030, Level = LogLevel.Information, Message = "Pushing metrics with OTLP to {Endpoint} ({Protocol}) every {IntervalSeconds} s")]
    private static partial void Pushing(ILogger logger, string endpoint, string protocol, double intervalSeconds);
}
