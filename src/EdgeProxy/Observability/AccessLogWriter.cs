using System.Threading.Channels;
using EdgeProxy.Configuration;
using EdgeProxy.Origins;
using Microsoft.Extensions.Options;

namespace EdgeProxy.Observability;

/// <summary>
/// Writes access-log entries from a bounded queue on a background task, so requests never wait for
/// the log. When the queue is full the entry is dropped and counted (<see cref="Dropped"/>).
/// The logger category is <c>EdgeProxy.AccessLog</c>.
/// </summary>
internal sealed partial class AccessLogWriter : BackgroundService
{
    public const string Category = "EdgeProxy.AccessLog";

    private readonly Channel<AccessLogEntry> _queue;
    private readonly ILogger _logger;
    private readonly IOptionsMonitor<EdgeProxyOptions> _options;
    private long _dropped;

    public AccessLogWriter(ILoggerFactory loggerFactory, IOptionsMonitor<EdgeProxyOptions> options)
    {
        _logger = loggerFactory.CreateLogger(Category);
        _options = options;
        _queue = Channel.CreateBounded<AccessLogEntry>(new BoundedChannelOptions(options.CurrentValue.AccessLog.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.DropWrite,
            SingleReader = true,
        });
    }

    public long Dropped => Interlocked.Read(ref _dropped);

    public void Write(in AccessLogEntry entry)
    {
        if (!_options.CurrentValue.AccessLog.Enabled)
        {
            return;
        }

        if (!_queue.Writer.TryWrite(entry))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            // Not cancelled by the token: StopAsync completes the queue, which ends this loop. A cancellable wait
            // allocates a new waiter each time the queue runs empty (once per request under light load); this one reuses one.
            await foreach (var entry in _queue.Reader.ReadAllAsync(CancellationToken.None))
            {
                LogEntry(entry);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        while (_queue.Reader.TryRead(out var entry))
        {
            LogEntry(entry);
        }

        await base.StopAsync(cancellationToken);
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
                var squid = FormatSquid(e);
                AccessSquid(_logger, squid);
                break;
            case AccessLogFormat.Json:
                var json = FormatJson(e);
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
}
