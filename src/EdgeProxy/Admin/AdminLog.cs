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
}
