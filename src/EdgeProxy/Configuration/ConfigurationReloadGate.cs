using Microsoft.Extensions.Primitives;

namespace EdgeProxy.Configuration;

/// <summary>
/// Hot reload with a gate: when any configuration layer changes, the whole new configuration is
/// checked by <see cref="EdgeProxyConfigValidator"/> first. Accepted: YARP's routes and clusters
/// (which YARP reads from <see cref="Accepted"/>, a copy of the <c>ReverseProxy</c> section) and
/// <see cref="EdgeProxyOptions"/> (through <see cref="ValidatedOptionsMonitor"/>) switch together;
/// in-flight requests finish on the configuration they started with. Rejected (a file that does not
/// parse, an unknown key, a bad value): one log line naming every problem, and the old configuration
/// stays in force.
/// </summary>
internal sealed partial class ConfigurationReloadGate : IDisposable
{
    private const string ReverseProxy = "ReverseProxy";

    private readonly IConfiguration _source;
    private readonly ConfigurationLoadFailures _failures;
    private readonly SwappableProvider _accepted = new();
    private readonly IDisposable _subscription;
    private readonly Lock _gate = new();
    private ILogger _logger = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    public ConfigurationReloadGate(IConfiguration source)
    {
        _source = source;
        _failures = (source as IConfigurationBuilder)?.Properties.TryGetValue(ConfigurationLoadFailures.PropertyKey, out var f) == true && f is ConfigurationLoadFailures failures
            ? failures
            : new ConfigurationLoadFailures();
        Accepted = new ConfigurationRoot([_accepted]);
        Copy();
        Options = Bind();
        _subscription = ChangeToken.OnChange(source.GetReloadToken, OnChange);
    }

    /// <summary>The last accepted configuration's <c>ReverseProxy</c> section, for YARP's <c>LoadFromConfig</c>.</summary>
    public IConfigurationRoot Accepted { get; }

    /// <summary>The last accepted EdgeProxy options.</summary>
    public EdgeProxyOptions Options { get; private set; }

    /// <summary>Raised after a new configuration was accepted.</summary>
    public event Action<EdgeProxyOptions>? OptionsChanged;

    public void UseLogger(ILogger logger) => _logger = logger;

    public void Dispose() => _subscription.Dispose();

    private void OnChange()
    {
        lock (_gate)
        {
            var errors = new List<string>(_failures.Take());
            if (errors.Count == 0)
            {
                errors.AddRange(EdgeProxyConfigValidator.Validate(_source));
            }

            if (errors.Count > 0)
            {
                var reasons = string.Join("; ", errors);
                ReloadRejected(_logger, errors.Count, reasons);
                return;
            }

            EdgeProxyOptions options;
            try
            {
                options = Bind();
            }
            catch (InvalidOperationException ex)
            {
                ReloadRejected(_logger, 1, ex.Message); // the files changed again while this change was checked
                return;
            }

            Options = options;
            Copy();
            OptionsChanged?.Invoke(options);
        }

        var routes = _source.GetSection($"{ReverseProxy}:Routes").GetChildren().Count();
        var clusters = _source.GetSection($"{ReverseProxy}:Clusters").GetChildren().Count();
        ReloadAccepted(_logger, routes, clusters);
    }

    private EdgeProxyOptions Bind() => _source.GetSection(EdgeProxyOptions.SectionName).Get<EdgeProxyOptions>() ?? new EdgeProxyOptions();

    /// <summary>Replaces the accepted copy of the ReverseProxy section and tells YARP.</summary>
    private void Copy()
    {
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in _source.GetSection(ReverseProxy).AsEnumerable())
        {
            if (value is not null)
            {
                data[key] = value;
            }
        }

        _accepted.Replace(data);
    }

    /// <summary>A configuration provider whose whole data is swapped at once, raising one reload.</summary>
    private sealed class SwappableProvider : ConfigurationProvider
    {
        public void Replace(Dictionary<string, string?> data)
        {
            Data = data;
            OnReload();
        }
    }

    [LoggerMessage(EventId = 5020, Level = LogLevel.Information, Message = "Configuration reloaded: {Routes} routes, {Clusters} clusters")]
    private static partial void ReloadAccepted(ILogger logger, int routes, int clusters);

    [LoggerMessage(EventId = 5021, Level = LogLevel.Error, Message = "Configuration change rejected ({Count} problems), the previous configuration stays: {Reasons}")]
    private static partial void ReloadRejected(ILogger logger, int count, string reasons);
}
