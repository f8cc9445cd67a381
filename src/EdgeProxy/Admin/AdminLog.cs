namespace EdgeProxy.Admin;

/// <summary>Log messages of the admin listener and operations (EventIds 5000–5999).</summary>
internal static partial class AdminLog
{
    [LoggerMessage(EventId = 5010, Level = LogLevel.Warning, Message = "Admin request {Method} {Path} from {Client} refused: missing or wrong API key")]
    public static partial void Unauthorized(ILogger logger, string method, string path, string client);

    [LoggerMessage(EventId = 5011, Level = LogLevel.Information, Message = "Purge {Kind} '{Target}' from {Client}: {Count} entries removed")]
    public static partial void Purged(ILogger logger, string kind, string target, string client, int count);

    [LoggerMessage(EventId = 5012, Level = LogLevel.Warning, Message = "PURGE {Url} from {Client} refused: client not in EdgeProxy:Admin:PurgeAllowedNetworks")]
    public static partial void PurgeForbidden(ILogger logger, string url, string client);

    [LoggerMessage(EventId = 5013, Level = LogLevel.Warning, Message = "Purge {Kind} '{Target}' refused: the cache is not enabled")]
    public static partial void CacheNotEnabled(ILogger logger, string kind, string target);

    [LoggerMessage(EventId = 5040, Level = LogLevel.Information, Message = "Warming up before the listeners open (at most {Timeout})")]
    public static partial void WarmingUp(ILogger logger, TimeSpan timeout);

    [LoggerMessage(EventId = 5041, Level = LogLevel.Information, Message = "Stop signal during the warm-up: exiting before the listeners opened")]
    public static partial void StoppedDuringWarmup(ILogger logger);
}
