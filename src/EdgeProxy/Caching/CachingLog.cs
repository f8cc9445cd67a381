namespace EdgeProxy.Caching;

/// <summary>Caching log events (3000–3099); collapsing events are 3100–3199.</summary>
internal static partial class CachingLog
{
    [LoggerMessage(EventId = 3010, Level = LogLevel.Debug, Message = "Not served from cache {Url}: {Reason}")]
    public static partial void NotServed(ILogger logger, string url, string reason);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Debug, Message = "Invalidated {Url} after {Method}: {Removed} entries")]
    public static partial void Invalidated(ILogger logger, string url, string method, int removed);

    [LoggerMessage(EventId = 3012, Level = LogLevel.Information, Message = "Served stale {Url}: {Reason}")]
    public static partial void ServedStale(ILogger logger, string url, string reason);

    [LoggerMessage(EventId = 3110, Level = LogLevel.Information, Message = "Waiter on {Url} hit the {Bound} bound: {Action}")]
    public static partial void WaitBound(ILogger logger, string url, string bound, string action);

    [LoggerMessage(EventId = 3112, Level = LogLevel.Debug, Message = "Joined the fill of {Url} as waiter {Waiters}")]
    public static partial void Joined(ILogger logger, string url, int waiters);

    [LoggerMessage(EventId = 3111, Level = LogLevel.Debug, Message = "Waiter on {Url} goes to the origin itself: {Reason}")]
    public static partial void WaiterReleased(ILogger logger, string url, string reason);
}
