namespace EdgeProxy.Configuration;

/// <summary>
/// Where configuration comes from, lowest priority first: <c>config/appsettings.json</c>,
/// <c>config/appsettings.{Environment}.json</c>, the file named by <c>--config FILE</c>, environment
/// variables, then command-line keys (the usual ASP.NET Core order, with one more file layer).
/// </summary>
internal static class ConfigurationLayers
{
    /// <summary>Environment variable naming the folder that holds appsettings.json (default: ./config, then the binaries' config/).</summary>
    public const string ConfigDirVariable = "EDGEPROXY_CONFIG_DIR";

    /// <summary>Splits <c>--config FILE</c> (or <c>--config=FILE</c>) out of the arguments.</summary>
    public static (string? ConfigFile, string[] RemainingArgs) ExtractConfigFile(string[] args)
    {
        string? file = null;
        var rest = new List<string>(args.Length);
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--config")
            {
                if (i + 1 >= args.Length)
                {
                    throw new EdgeProxyConfigurationException(["--config: a file path must follow"]);
                }

                file = args[++i];
            }
            else if (args[i].StartsWith("--config=", StringComparison.Ordinal))
            {
                file = args[i]["--config=".Length..];
            }
            else
            {
                rest.Add(args[i]);
            }
        }

        return (file, rest.ToArray());
    }

    /// <summary>The folder holding the default appsettings.json.</summary>
    public static string ResolveConfigDirectory()
    {
        var fromEnv = Environment.GetEnvironmentVariable(ConfigDirVariable);
        if (!string.IsNullOrEmpty(fromEnv))
        {
            return Path.GetFullPath(fromEnv);
        }

        var local = Path.Combine(Directory.GetCurrentDirectory(), "config");
        return File.Exists(Path.Combine(local, "appsettings.json"))
            ? local
            : Path.Combine(AppContext.BaseDirectory, "config");
    }

    /// <summary>
    /// A relative <c>--config</c> path is looked up from the working directory, then from its parents:
    /// <c>dotnet run --project src/EdgeProxy</c> runs the app in the project folder, while the path was
    /// written relative to the repository root.
    /// </summary>
    internal static string? ResolveConfigFile(string configFile)
    {
        if (Path.IsPathRooted(configFile))
        {
            return File.Exists(configFile) ? configFile : null;
        }

        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, configFile);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Replaces the builder's configuration sources with EdgeProxy's layers.</summary>
    public static void Apply(
        ConfigurationManager configuration,
        string environmentName,
        string? configFile,
        string[] commandLineArgs,
        IEnumerable<KeyValuePair<string, string?>>? overrides)
    {
        var dir = ResolveConfigDirectory();
        var defaults = Path.Combine(dir, "appsettings.json");
        if (!File.Exists(defaults))
        {
            throw new EdgeProxyConfigurationException([$"config: default configuration not found at {defaults} (set {ConfigDirVariable})"]);
        }

        string? fullConfigFile = null;
        if (configFile is not null)
        {
            fullConfigFile = ResolveConfigFile(configFile)
                ?? throw new EdgeProxyConfigurationException([$"--config: file not found: {Path.GetFullPath(configFile)}"]);
        }

        var reload = ReloadOnChange(commandLineArgs, overrides);
        configuration.Sources.Clear();
        var failures = new ConfigurationLoadFailures();
        ((IConfigurationBuilder)configuration).Properties[ConfigurationLoadFailures.PropertyKey] = failures;
        AddJsonFile(configuration, defaults, optional: false, reload, failures);
        AddJsonFile(configuration, Path.Combine(dir, $"appsettings.{environmentName}.json"), optional: true, reload, failures);
        if (fullConfigFile is not null)
        {
            AddJsonFile(configuration, fullConfigFile, optional: false, reload, failures);
        }

        configuration.AddEnvironmentVariables();
        configuration.AddCommandLine(commandLineArgs);
        if (overrides is not null)
        {
            configuration.AddInMemoryCollection(overrides);
        }
    }

    /// <summary>
    /// Whether the JSON files are watched (hot reload). On unless ASP.NET Core's own switch
    /// <c>hostBuilder:reloadConfigOnChange</c> says false (command line, overrides, or the environment
    /// variable <c>DOTNET_hostBuilder__reloadConfigOnChange</c>): each watched directory costs an inotify
    /// instance, of which Linux gives a user 128 by default.
    /// </summary>
    internal static bool ReloadOnChange(string[] commandLineArgs, IEnumerable<KeyValuePair<string, string?>>? overrides)
    {
        var switches = new ConfigurationBuilder()
            .AddEnvironmentVariables("DOTNET_")
            .AddCommandLine(commandLineArgs)
            .AddInMemoryCollection(overrides ?? [])
            .Build();
        return switches.GetValue("hostBuilder:reloadConfigOnChange", defaultValue: true);
    }

    /// <summary>A JSON layer, watched when <paramref name="reload"/>, that keeps its last good values when a changed file does not parse.</summary>
    private static void AddJsonFile(IConfigurationBuilder configuration, string path, bool optional, bool reload, ConfigurationLoadFailures failures)
    {
        var source = new LastGoodJsonConfigurationSource
        {
            Path = path,
            Optional = optional,
            ReloadOnChange = reload,
            Failures = failures,
        };
        source.ResolveFileProvider();
        configuration.Add(source);
    }
}
