namespace EdgeProxy.FunctionalTests.Infrastructure;

/// <summary>Configuration overrides for functional tests: ephemeral listeners and loopback origins.</summary>
public static class ProxySettings
{
    /// <summary>Ephemeral proxy and admin ports, no demo origin, tight but safe default timeouts.</summary>
    public static Dictionary<string, string?> Base() => new(StringComparer.OrdinalIgnoreCase)
    {
        ["Kestrel:Endpoints:Proxy:Url"] = "http://127.0.0.1:0",
        ["Kestrel:Endpoints:Admin:Url"] = "http://127.0.0.1:0",
        ["EdgeProxy:DemoOrigin:Enabled"] = "false",
        ["EdgeProxy:OriginDefaults:ConnectTimeout"] = "00:00:02",
        ["EdgeProxy:OriginDefaults:ResponseHeaderTimeout"] = "00:00:05",
        ["EdgeProxy:OriginDefaults:BodyIdleTimeout"] = "00:00:05",
        ["Serilog:MinimumLevel:Default"] = "Warning",

        // Config files are not watched (each watcher is an inotify instance; Linux allows a user 128).
        // The hot-reload tests turn it back on.
        ["hostBuilder:reloadConfigOnChange"] = "false",
    };

    /// <summary>The default route to <c>primary</c>, whose destination is <paramref name="primary"/>, and <c>secondary</c> at <paramref name="secondary"/>.</summary>
    public static Dictionary<string, string?> TwoOrigins(Uri primary, Uri? secondary = null)
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["ReverseProxy:Clusters:primary:Destinations:origin1:Address"] = primary.ToString(),
            ["ReverseProxy:Clusters:secondary:Destinations:origin1:Address"] = (secondary ?? primary).ToString(),
        };
        return settings;
    }

    public static Dictionary<string, string?> With(this Dictionary<string, string?> settings, string key, string? value)
    {
        settings[key] = value;
        return settings;
    }
}
