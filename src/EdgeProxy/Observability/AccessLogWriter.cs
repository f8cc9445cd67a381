using System.Diagnostics.Metrics;
using System.Threading.Channels;
using EdgeProxy.Configuration;
using EdgeProxy.Origins;
using Microsoft.Extensions.Options;

namespace EdgeProxy.Observability;

/// <summary>
/// Writes access-log entries from a bounded queue on a background task, so requests never wait for
/// the log. When the queue is full the entry is dropped and counted (<see cref="Dropped"/>, metric
/// <c>edgeproxy.accesslog.dropped</c>). Without <c>AccessLog:Path</c> each entry goes to the logger
/// (category <c>EdgeProxy.AccessLog</c>); with it, the writer formats lines itself and writes them in
/// batches to standard output or a file (<c>AccessLogWriter.Output.cs</c>).
/// </summary>
internal sealed partial class AccessLogWriter : BackgroundService
{
    public const string Category = "EdgeProxy.AccessLog";

    private readonly Channel<AccessLogEntry> _queue;
    private readonly ILogger _logger;
    private readonly IOptionsMonitor<EdgeProxyOptions> _options;
    private readonly AccessLogLineFormatter _formatter = new();
    private long _dropped;

    public AccessLogWriter(ILoggerFactory loggerFactory, IOptionsMonitor<EdgeProxyOptions> options, IServiceProvider services)
    {
        _logger = loggerFactory.CreateLogger(Category);
        _options = options;
        _path = options.CurrentValue.AccessLog.Path;
        _queue = Channel.CreateBounded<AccessLogEntry>(new BoundedChannelOptions(options.CurrentValue.AccessLog.QueueCapacity)
        {
            // Wait, not DropWrite: with DropWrite TryWrite reports success for the entry it drops, so
            // nothing was counted. Write never waits: it uses TryWrite and counts a false.
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
        services.GetService<IMeterFactory>()?.Create(EdgeProxyMeter.Name).CreateObservableCounter(
            "edgeproxy.accesslog.dropped", () => Dropped, "{entry}", "Access-log entries dropped because the queue was full or the output failed");
    }

    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Whether entries are kept: when false, <see cref="Write"/> drops them, so callers need not build one.</summary>
    public bool Enabled => _options.CurrentValue.AccessLog.Enabled;

    public void Write(in AccessLogEntry entry)
    {
        if (!Enabled)
        {
            return;
        }

        if (!_queue.Writer.TryWrite(entry))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        OpenOutput();
        return base.StartAsync(cancellationToken);
    }

    /// <summary>
    /// Reads until the queue is completed (by <see cref="StopAsync"/>) and empty, so every entry queued
    /// before shutdown is written; this task is the queue's only reader.
    /// </summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync(CancellationToken.None))
        {
            if (_output is not null)
            {
                if (WriteBatches(reader, flushNow: false))
                {
                    // Lines are pending: give the queue a moment to fill the batch, then write it.
                    await Task.Delay(FlushInterval, CancellationToken.None);
                    WriteBatches(reader, flushNow: true);
                }

                continue;
            }

            while (reader.TryRead(out var entry))
            {
                LogEntry(entry);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
        if (ExecuteTask is { IsCompleted: false })
        {
            // Stop timed out while the task still writes: it stays the only reader and owner of the output.
            return;
        }

        // The task ended, or never ran (a stop right after start cancels it before it begins): what is left is ours.
        if (_output is not null)
        {
            WriteBatches(_queue.Reader, flushNow: true);
        }
        else
        {
            while (_queue.Reader.TryRead(out var entry))
            {
                LogEntry(entry);
            }
        }

        CloseOutput();
    }

    private void LogEntry(in AccessLogEntry e)
    {
        if (!_logger.IsEnabled(LogLevel.Information))
        {
            return;
        }

        switch (_options.CurrentValue.AccessLog.Format)
        {
            case AccessLogFormat.Squid:
                var squid = _formatter.FormatToString(e, AccessLogFormat.Squid);
                AccessSquid(_logger, squid);
                break;
            case AccessLogFormat.Json:
                var json = _formatter.FormatToString(e, AccessLogFormat.Json);
                AccessJson(_logger, json);
                break;
            default:
                var failure = OriginFailureClassifier.Describe(e.Failure);
                Access(_logger, e.Client, e.Method, e.Url, e.Status, e.Bytes, e.DurationMs, e.TimeToFirstByteMs ?? e.DurationMs, e.Origin, e.CacheResult, failure, e.Detail ?? "-",
                    e.CacheStatus ?? "-", e.CollapsedRole, e.EscalationReason ?? "-", e.Attempts, e.Time);
                break;
        }
    }

    [LoggerMessage(EventId = 1000, Level = LogLevel.Information,
        Message = "{Client} \"{Method} {Url}\" {Status} {Bytes} {DurationMs:0.0}ms ttfb={TtfbMs:0.0}ms origin={Origin} cache={CacheResult} failure={Failure} detail=\"{Detail}\" cache_status=\"{CacheStatus}\" role={Role} escalated={Escalation} attempts={Attempts} at={Time:O}")]
    private static partial void Access(ILogger logger, string client, string method, string url, int status, long bytes, double durationMs, double ttfbMs,
        string origin, string cacheResult, string failure, string detail, string cacheStatus, string role, string escalation, int attempts, DateTimeOffset time);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "{Line}")]
    private static partial void AccessSquid(ILogger logger, string line);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "{Line}")]
    private static partial void AccessJson(ILogger logger, string line);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Error, Message = "Access log output {Path} failed; entries are dropped and counted until it works again: {Error}")]
    private static partial void OutputFailed(ILogger logger, string path, string error);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Information, Message = "Access log output {Path} reopened")]
    private static partial void OutputReopened(ILogger logger, string path);
}
