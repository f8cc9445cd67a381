namespace EdgeProxy.Collapsing;

internal sealed partial class FillRunner
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Debug, Message = "Stored {Url} (status {Status}, {Bytes} bytes)")]
    private static partial void Stored(ILogger logger, string url, int status, long bytes);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Debug, Message = "Not stored {Url}: {Reason}")]
    private static partial void NotStored(ILogger logger, string url, string reason);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Debug, Message = "Revalidated {Url} with 304: stored headers updated")]
    private static partial void Revalidated(ILogger logger, string url);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Fill of {Url} broke after {Bytes} body bytes ({Reason}): every reader is aborted, nothing stored")]
    private static partial void FillBroken(ILogger logger, string url, long bytes, string reason);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Error, Message = "Fill of {Url} failed unexpectedly")]
    private static partial void FillCrashed(ILogger logger, string url, Exception exception);
}
