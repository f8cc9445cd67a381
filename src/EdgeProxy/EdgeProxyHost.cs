using EdgeProxy.Admin;
using EdgeProxy.Configuration;
using EdgeProxy.Observability;
using EdgeProxy.Server;

namespace EdgeProxy;

/// <summary>Builds the EdgeProxy application: configuration layers, validation, logging, Kestrel listeners.</summary>
public static class EdgeProxyHost
{
    /// <summary>
    /// Builds the app from command-line arguments. <paramref name="overrides"/> sit above every other
    /// layer (tests use them for ephemeral ports); <paramref name="configureBuilder"/> runs last.
    /// Throws <see cref="EdgeProxyConfigurationException"/> naming every bad key.
    /// </summary>
    public static WebApplication Build(
        string[] args,
        IEnumerable<KeyValuePair<string, string?>>? overrides = null,
        Action<WebApplicationBuilder>? configureBuilder = null)
    {
        var (configFile, rest) = ConfigurationLayers.ExtractConfigFile(args);
        return Build(rest, builder => ConfigurationLayers.Apply(builder.Configuration, builder.Environment.EnvironmentName, configFile, rest, overrides), configureBuilder);
    }

    /// <summary>An app configured by <paramref name="settings"/> alone: no files, environment or command line (the start-up warm-up's private instance).</summary>
    internal static WebApplication BuildIsolated(IEnumerable<KeyValuePair<string, string?>> settings) =>
        Build([], builder =>
        {
            builder.Configuration.Sources.Clear();
            builder.Configuration.AddInMemoryCollection(settings);
        }, configureBuilder: null);

    private static WebApplication Build(string[] args, Action<WebApplicationBuilder> configure, Action<WebApplicationBuilder>? configureBuilder)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args });
        try
        {
            configure(builder);
        }
        catch (InvalidDataException ex)
        {
            throw new EdgeProxyConfigurationException([$"config: {ex.Message} {ex.InnerException?.Message}".TrimEnd()]);
        }

        var errors = EdgeProxyConfigValidator.Validate(builder.Configuration);
        if (errors.Count > 0)
        {
            throw new EdgeProxyConfigurationException(errors);
        }

        // Before anything makes a socket: the runtime reads its inline-completions switch once.
        var transport = builder.Configuration.GetSection($"{EdgeProxyOptions.SectionName}:Transport").Get<TransportOptions>() ?? new TransportOptions();
        InlineScheduling.ApplyToRuntime(transport);
        builder.Logging.AddEdgeProxySerilog(builder.Configuration);
        var listeners = new EdgeProxyListeners();
        builder.Services.AddSingleton(listeners);
        builder.Services.AddEdgeProxy(builder.Configuration);
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            kestrel.AddServerHeader = false;

            // Origins may send obs-text (bytes 0x80-0xFF, RFC 9110 5.5) in a field value; HttpClient reads it as
            // Latin-1, so writing Latin-1 passes the origin's bytes through unchanged instead of failing the response.
            kestrel.ResponseHeaderEncodingSelector = static _ => System.Text.Encoding.Latin1;

            // Kestrel's own loader reads only endpoints and certificates from the section: its limits are bound here.
            context.Configuration.GetSection("Kestrel:Limits").Bind(kestrel.Limits);
            kestrel.Configure(context.Configuration.GetSection("Kestrel"), reloadOnChange: true)
                .Endpoint(AdminOptions.ProxyEndpointName, endpoint =>
                {
                    if (transport.InlineScheduling && transport.FairTurnStreak > 0)
                    {
                        // First, so it wraps the socket's own input (under TLS too).
                        endpoint.ListenOptions.Use(FairInput.Middleware(transport.FairTurnStreak));
                        endpoint.ListenOptions.ApplicationServices.GetService<FairTurnsMetrics>(); // publishes its counter
                    }

                    if (transport.ZeroCopy && !endpoint.IsHttps && OperatingSystem.IsLinux())
                    {
                        endpoint.ListenOptions.Use(DirectSendConnections.Middleware(transport, endpoint.ListenOptions.ApplicationServices.GetService<ZeroCopyStatistics>()));
                        if (endpoint.ListenOptions.ApplicationServices.GetService<Caching.HitLane>() is { Enabled: true } lane)
                        {
                            endpoint.ListenOptions.Use(HitLaneInput.Middleware(lane, () => kestrel.Limits.KeepAliveTimeout));
                        }
                    }

                    listeners.AddProxy(endpoint.ListenOptions, endpoint.IsHttps);
                })
                .Endpoint(AdminOptions.EndpointName, endpoint => listeners.AddAdmin(endpoint.ListenOptions, endpoint.IsHttps));
        });

        configureBuilder?.Invoke(builder);
        var app = builder.Build();
        try
        {
            app.UseEdgeProxy();
        }
        catch (InvalidOperationException ex) when (ex.InnerException is AggregateException yarpErrors)
        {
            // YARP validates its own section when the proxy endpoints are built; report its errors like ours.
            throw new EdgeProxyConfigurationException(yarpErrors.InnerExceptions.Select(e => "ReverseProxy: " + e.Message).ToList());
        }

        return app;
    }
}
