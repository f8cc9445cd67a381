namespace EdgeProxy.Caching;

/// <summary>Semantic checks of <c>EdgeProxy:Caching</c>, every problem named by its key (called by the configuration validator).</summary>
internal static class CachingOptionsValidator
{
    private const string Root = "EdgeProxy:Caching";

    public static void Validate(IConfiguration configuration, CachingOptions caching, List<string> errors)
    {
        if (caching.SizeLimitBytes <= 0)
        {
            errors.Add($"{Root}:SizeLimitBytes: must be positive");
        }

        if (caching.MaxObjectSizeBytes <= 0 || caching.MaxObjectSizeBytes > caching.SizeLimitBytes)
        {
            errors.Add($"{Root}:MaxObjectSizeBytes: must be positive and at most SizeLimitBytes ({caching.SizeLimitBytes})");
        }

        if (caching.HeuristicFraction is < 0 or > 1)
        {
            errors.Add($"{Root}:HeuristicFraction: must be between 0 and 1");
        }

        if (caching.HeuristicMaxAge < TimeSpan.Zero || caching.StaleIfDisconnected < TimeSpan.Zero)
        {
            errors.Add($"{Root}:HeuristicMaxAge/StaleIfDisconnected: must not be negative");
        }

        if (caching.MaxVariantsPerUrl < 1)
        {
            errors.Add($"{Root}:MaxVariantsPerUrl: must be at least 1");
        }

        var collapsing = caching.Collapsing;
        if (collapsing.MaxWaiters < 0)
        {
            errors.Add($"{Root}:Collapsing:MaxWaiters: must not be negative");
        }

        if (collapsing.MaxWait <= TimeSpan.Zero)
        {
            errors.Add($"{Root}:Collapsing:MaxWait: must be positive");
        }

        if (collapsing.HitForMissDuration < TimeSpan.Zero)
        {
            errors.Add($"{Root}:Collapsing:HitForMissDuration: must not be negative");
        }

        if (collapsing.CompleteFraction is < 0 or > 1)
        {
            errors.Add($"{Root}:Collapsing:CompleteFraction: must be between 0 and 1");
        }

        if (collapsing.RetryAfterSeconds < 0)
        {
            errors.Add($"{Root}:Collapsing:RetryAfterSeconds: must not be negative");
        }

        var routes = configuration.GetSection("ReverseProxy:Routes").GetChildren().Select(r => r.Key).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var (routeId, route) in caching.Routes)
        {
            if (!routes.Contains(routeId))
            {
                errors.Add($"{Root}:Routes:{routeId}: unknown route '{routeId}' (not under ReverseProxy:Routes)");
            }

            if (route.DefaultGrace is { } grace && grace < TimeSpan.Zero)
            {
                errors.Add($"{Root}:Routes:{routeId}:DefaultGrace: must not be negative");
            }
        }
    }
}
