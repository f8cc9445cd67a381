namespace EdgeProxy.Observability;

/// <summary>Optional push of the EdgeProxy meter to an OpenTelemetry collector (<c>EdgeProxy:Observability:Otlp</c>).</summary>
public sealed class OtlpOptions
{
    /// <summary>Collector endpoint, e.g. <c>http://otel-collector:4317</c> (gRPC) or <c>http://otel-collector:4318/v1/metrics</c> (HTTP). Unset: no push (the default).</summary>
    public string? Endpoint { get; set; }

    /// <summary><c>Grpc</c> (default) or <c>HttpProtobuf</c>.</summary>
    public string Protocol { get; set; } = "Grpc";

    /// <summary>How often metrics are pushed. Default 15 s.</summary>
    public TimeSpan ExportInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Extra headers for the collector (<c>key1=value1,key2=value2</c>), e.g. an API token. Masked in <c>/admin/config</c>.</summary>
    public string? Headers { get; set; }
}
