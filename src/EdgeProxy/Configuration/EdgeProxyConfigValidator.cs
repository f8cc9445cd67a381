using System.ComponentModel;
using System.Reflection;
using EdgeProxy.Origins;
using EdgeProxy.Server;

namespace EdgeProxy.Configuration;

/// <summary>
/// Checks the whole configuration before anything starts and reports every problem at once, each
/// naming its key (the way YARP's ConfigValidator collects errors instead of stopping at the first).
/// </summary>
internal static class EdgeProxyConfigValidator
{
    private const string Routes = "ReverseProxy:Routes";
    private const string Clusters = "ReverseProxy:Clusters";

    public static IReadOnlyList<string> Validate(IConfiguration configuration)
    {
        var errors = new List<string>();
        var clusterIds = configuration.GetSection(Clusters).GetChildren().Select(c => c.Key).ToHashSet(StringComparer.OrdinalIgnoreCase);

        ValidateRoutes(configuration, clusterIds, errors);
        ValidateClusters(configuration, errors);
        ValidateEndpoints(configuration, errors);

        var edge = configuration.GetSection(EdgeProxyOptions.SectionName);
        CheckShape(edge, typeof(EdgeProxyOptions), errors);
        if (TryBind(edge) is { } options)
        {
            ValidateOptions(options, clusterIds, errors);
            Escalation.EscalationConfigValidator.Validate(configuration, options, errors);
            Admin.AdminConfigValidator.Validate(configuration, options, errors);
            Caching.CachingOptionsValidator.Validate(configuration, options.Caching, errors);
        }

        return errors;
    }

    /// <summary>Binds the section; null when a value does not convert (CheckShape has already named it).</summary>
    private static EdgeProxyOptions? TryBind(IConfigurationSection section)
    {
        try
        {
            return section.Get<EdgeProxyOptions>() ?? new EdgeProxyOptions();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static void ValidateRoutes(IConfiguration configuration, HashSet<string> clusterIds, List<string> errors)
    {
        foreach (var route in configuration.GetSection(Routes).GetChildren())
        {
            var key = $"{Routes}:{route.Key}";
            var clusterId = route["ClusterId"];
            if (string.IsNullOrWhiteSpace(clusterId))
            {
                errors.Add($"{key}:ClusterId: required");
            }
            else if (!clusterIds.Contains(clusterId))
            {
                errors.Add($"{key}:ClusterId: unknown cluster '{clusterId}' (not under {Clusters})");
            }

            var match = route.GetSection("Match");
            if (match["Path"] is null && !match.GetSection("Hosts").GetChildren().Any())
            {
                errors.Add($"{key}:Match: needs a Path or Hosts");
            }
        }
    }

    private static void ValidateClusters(IConfiguration configuration, List<string> errors)
    {
        foreach (var cluster in configuration.GetSection(Clusters).GetChildren())
        {
            var key = $"{Clusters}:{cluster.Key}";
            var destinations = cluster.GetSection("Destinations").GetChildren().ToList();
            if (destinations.Count == 0)
            {
                errors.Add($"{key}:Destinations: at least one destination is required");
            }

            foreach (var destination in destinations)
            {
                var address = destination["Address"];
                if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                {
                    errors.Add($"{key}:Destinations:{destination.Key}:Address: '{address}' is not an absolute http(s) URL");
                }
            }

            if (string.Equals(cluster["SessionAffinity:Policy"], "HashCookie", StringComparison.OrdinalIgnoreCase))
            {
                errors.Add($"{key}:SessionAffinity:Policy: HashCookie needs System.IO.Hashing, which this build does not ship; use Cookie or CustomHeader");
            }
        }
    }

    private static void ValidateEndpoints(IConfiguration configuration, List<string> errors)
    {
        var endpoints = configuration.GetSection("Kestrel:Endpoints");
        foreach (var name in new[] { Admin.AdminOptions.ProxyEndpointName, Admin.AdminOptions.EndpointName })
        {
            var url = endpoints[$"{name}:Url"];
            if (string.IsNullOrWhiteSpace(url))
            {
                errors.Add($"Kestrel:Endpoints:{name}:Url: required");
            }
        }

        var proxy = endpoints[$"{Admin.AdminOptions.ProxyEndpointName}:Url"];
        var admin = endpoints[$"{Admin.AdminOptions.EndpointName}:Url"];
        if (proxy is not null && admin is not null && string.Equals(proxy, admin, StringComparison.OrdinalIgnoreCase) && !proxy.EndsWith(":0", StringComparison.Ordinal))
        {
            errors.Add($"Kestrel:Endpoints:{Admin.AdminOptions.EndpointName}:Url: must differ from the proxy endpoint ({proxy})");
        }
    }

    private static void ValidateOptions(EdgeProxyOptions options, HashSet<string> clusterIds, List<string> errors)
    {
        const string root = EdgeProxyOptions.SectionName;
        ValidateOrigin($"{root}:OriginDefaults", options.OriginDefaults, clusterIds, errors);
        foreach (var (id, origin) in options.Clusters)
        {
            var key = $"{root}:Clusters:{id}";
            if (!clusterIds.Contains(id))
            {
                errors.Add($"{key}: unknown cluster '{id}' (not under {Clusters})");
            }

            ValidateOrigin(key, origin, clusterIds, errors);
            if (string.Equals(origin.Secondary, id, StringComparison.OrdinalIgnoreCase))
            {
                errors.Add($"{key}:Secondary: a cluster cannot be its own secondary");
            }
        }

        if (options.Lifecycle.DrainDelay < TimeSpan.Zero)
        {
            errors.Add($"{root}:Lifecycle:DrainDelay: must not be negative");
        }

        if (options.Lifecycle.DrainTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{root}:Lifecycle:DrainTimeout: must be positive");
        }

        if (options.Transport.FairTurnStreak < 0)
        {
            errors.Add($"{root}:Transport:FairTurnStreak: must be 0 (off) or more");
        }

        if (options.Transport.BlockSize is < TransportOptions.MinBlockSize or > TransportOptions.MaxBlockSize)
        {
            errors.Add($"{root}:Transport:BlockSize: must be between {TransportOptions.MinBlockSize} and {TransportOptions.MaxBlockSize} bytes");
        }

        if (options.Transport.ZeroCopyMinBytes < TransportOptions.MinBlockSize)
        {
            errors.Add($"{root}:Transport:ZeroCopyMinBytes: must be at least {TransportOptions.MinBlockSize} bytes");
        }

        if (options.Warmup.Timeout <= TimeSpan.Zero)
        {
            errors.Add($"{root}:Warmup:Timeout: must be positive");
        }

        if (options.Warmup.HitDuration < TimeSpan.Zero)
        {
            errors.Add($"{root}:Warmup:HitDuration: must be zero or positive");
        }
        else if (options.Warmup.HitDuration >= options.Warmup.Timeout && options.Warmup.Timeout > TimeSpan.Zero)
        {
            errors.Add($"{root}:Warmup:HitDuration: must be shorter than Warmup:Timeout ({options.Warmup.Timeout}), which bounds the whole warm-up");
        }

        if (options.Warmup.HitConnections is < 1 or > 1024)
        {
            errors.Add($"{root}:Warmup:HitConnections: must be 1 to 1024");
        }

        if (options.Transport.TrimInterval <= TimeSpan.Zero)
        {
            errors.Add($"{root}:Transport:TrimInterval: must be positive");
        }

        if (options.AccessLog.QueueCapacity <= 0)
        {
            errors.Add($"{root}:AccessLog:QueueCapacity: must be positive");
        }

        ValidateAccessLogPath($"{root}:AccessLog:Path", options.AccessLog.Path, errors);

        if (string.IsNullOrWhiteSpace(options.NodeName) || options.NodeName.Any(c => char.IsWhiteSpace(c) || c == ','))
        {
            errors.Add($"{root}:NodeName: must be a single token (no spaces or commas)");
        }

        for (var i = 0; i < options.DemoOrigin.Ports.Count; i++)
        {
            if (options.DemoOrigin.Ports[i] is < 0 or > 65535)
            {
                errors.Add($"{root}:DemoOrigin:Ports:{i}: not a port number");
            }
        }
    }

    /// <summary>Null (the logger), "stdout", or a file whose directory exists and that is not itself a directory.</summary>
    private static void ValidateAccessLogPath(string key, string? path, List<string> errors)
    {
        if (path is null || path == "stdout")
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(path))
        {
            errors.Add($"{key}: empty; leave it out to log through the logger, or give \"stdout\" or a file path");
            return;
        }

        var full = System.IO.Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            errors.Add($"{key}: '{path}' is a directory; give a file path");
            return;
        }

        var directory = System.IO.Path.GetDirectoryName(full);
        if (directory is not null && !Directory.Exists(directory))
        {
            errors.Add($"{key}: directory '{directory}' does not exist (the file is created, its directory is not)");
        }
    }

    private static void ValidateOrigin(string key, OriginOptions origin, HashSet<string> clusterIds, List<string> errors)
    {
        Positive($"{key}:ConnectTimeout", origin.ConnectTimeout, errors);
        Positive($"{key}:ResponseHeaderTimeout", origin.ResponseHeaderTimeout, errors);
        Positive($"{key}:BodyIdleTimeout", origin.BodyIdleTimeout, errors);
        if (origin.Secondary is { } secondary && !clusterIds.Contains(secondary))
        {
            errors.Add($"{key}:Secondary: unknown cluster '{secondary}' (not under {Clusters})");
        }
    }

    private static void Positive(string key, TimeSpan? value, List<string> errors)
    {
        if (value is { } v && v <= TimeSpan.Zero)
        {
            errors.Add($"{key}: must be positive (was {v})");
        }
    }

    /// <summary>Unknown keys and values that do not convert to their property's type, anywhere under the section.</summary>
    private static void CheckShape(IConfigurationSection section, Type type, List<string> errors)
    {
        foreach (var child in section.GetChildren())
        {
            var property = type.GetProperty(child.Key, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            if (property is null || !property.CanWrite && !IsCollection(property.PropertyType) && !IsComplex(property.PropertyType))
            {
                errors.Add($"{child.Path}: unknown key");
                continue;
            }

            CheckValue(child, property.PropertyType, errors);
        }
    }

    private static void CheckValue(IConfigurationSection section, Type type, List<string> errors)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (underlying.IsGenericType && underlying.GetGenericTypeDefinition() == typeof(Dictionary<,>))
        {
            foreach (var entry in section.GetChildren())
            {
                CheckValue(entry, underlying.GetGenericArguments()[1], errors);
            }
        }
        else if (underlying.IsGenericType && underlying.GetGenericTypeDefinition() == typeof(List<>))
        {
            foreach (var item in section.GetChildren())
            {
                CheckValue(item, underlying.GetGenericArguments()[0], errors);
            }
        }
        else if (IsComplex(underlying))
        {
            if (section.Value is { Length: > 0 })
            {
                errors.Add($"{section.Path}: expected an object, got '{section.Value}'");
            }
            else
            {
                CheckShape(section, underlying, errors);
            }
        }
        else if (section.Value is { } raw)
        {
            if (raw.Length == 0 && type != underlying)
            {
                return; // null for a nullable value
            }

            try
            {
                TypeDescriptor.GetConverter(underlying).ConvertFromInvariantString(raw);
            }
            catch (Exception ex) when (ex is FormatException or NotSupportedException or ArgumentException or OverflowException)
            {
                errors.Add($"{section.Path}: '{raw}' is not a valid {underlying.Name}");
            }
        }
        else if (section.GetChildren().Any())
        {
            errors.Add($"{section.Path}: expected a {underlying.Name} value, got an object");
        }
    }

    private static bool IsComplex(Type type) =>
        type.IsClass && type != typeof(string) && !IsCollection(type);

    private static bool IsCollection(Type type) =>
        type.IsGenericType && (type.GetGenericTypeDefinition() == typeof(Dictionary<,>) || type.GetGenericTypeDefinition() == typeof(List<>));
}
