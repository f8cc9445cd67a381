using EdgeProxy.Configuration;

namespace EdgeProxy.Admin;

/// <summary>Start-up (and reload) checks of <c>EdgeProxy:Admin</c>; called by <see cref="EdgeProxyConfigValidator"/>.</summary>
internal static class AdminConfigValidator
{
    public const int MinimumKeyLength = 16;

    public static void Validate(IConfiguration configuration, EdgeProxyOptions options, List<string> errors)
    {
        const string key = EdgeProxyOptions.SectionName + ":Admin";
        var admin = options.Admin;
        if (admin.ApiKey is { } apiKey && apiKey.Length < MinimumKeyLength)
        {
            errors.Add($"{key}:ApiKey: must be at least {MinimumKeyLength} characters");
        }

        var url = configuration[$"Kestrel:Endpoints:{AdminOptions.EndpointName}:Url"];
        if (string.IsNullOrEmpty(admin.ApiKey) && url is not null && !IsLoopback(url))
        {
            errors.Add($"{key}:ApiKey: required because the admin endpoint ({url}) is not bound to loopback");
        }

        var otlp = options.Observability.Otlp;
        if (otlp.Endpoint is { Length: > 0 } endpoint && !(Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
        {
            errors.Add($"{EdgeProxyOptions.SectionName}:Observability:Otlp:Endpoint: '{endpoint}' is not an absolute http(s) URL");
        }

        if (Observability.OtlpMetricsExporter.ParseProtocol(otlp.Protocol) is null)
        {
            errors.Add($"{EdgeProxyOptions.SectionName}:Observability:Otlp:Protocol: '{otlp.Protocol}' is not Grpc or HttpProtobuf");
        }

        if (otlp.ExportInterval < TimeSpan.FromMilliseconds(100) || otlp.ExportInterval > TimeSpan.FromHours(1))
        {
            errors.Add($"{EdgeProxyOptions.SectionName}:Observability:Otlp:ExportInterval: must be between 100 ms and 1 h");
        }

        for (var i = 0; i < admin.PurgeAllowedNetworks.Count; i++)
        {
            if (!ClientNetworks.IsValid(admin.PurgeAllowedNetworks[i]))
            {
                errors.Add($"{key}:PurgeAllowedNetworks:{i}: '{admin.PurgeAllowedNetworks[i]}' is not a CIDR network (e.g. 10.0.0.0/8)");
            }
        }
    }

    /// <summary>True when a Kestrel URL binds only loopback (127.0.0.0/8, ::1, localhost).</summary>
    public static bool IsLoopback(string url)
    {
        var hostStart = url.IndexOf("://", StringComparison.Ordinal);
        var host = hostStart < 0 ? url : url[(hostStart + 3)..];
        var end = host.StartsWith('[') ? host.IndexOf(']', StringComparison.Ordinal) + 1 : host.IndexOfAny([':', '/']);
        if (end > 0)
        {
            host = host[..end];
        }

        host = host.Trim('[', ']');
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return System.Net.IPAddress.TryParse(host, out var address) && System.Net.IPAddress.IsLoopback(address);
    }
}
