namespace EdgeProxy.Observability;

/// <summary>Telemetry export beyond the admin listener's <c>/metrics</c> (<c>EdgeProxy:Observability</c>).</summary>
public sealed class ObservabilityOptions
{
    public OtlpOptions Otlp { get; set; } = new();
}
