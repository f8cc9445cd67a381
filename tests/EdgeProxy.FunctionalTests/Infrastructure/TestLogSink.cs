using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace EdgeProxy.FunctionalTests.Infrastructure;

/// <summary>Collects every log event of a proxy instance so tests can wait for and assert on lines.</summary>
public sealed class TestLogSink : ILoggerProvider
{
    private readonly ConcurrentQueue<LogLine> _lines = new();
    private readonly Lock _gate = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyCollection<LogLine> Lines => _lines.ToArray();

    public ILogger CreateLogger(string categoryName) => new SinkLogger(this, categoryName);

    public void Dispose()
    {
    }

    /// <summary>Waits (bounded) for a line matching <paramref name="match"/>; fails the test when none comes.</summary>
    public async Task<LogLine> WaitForAsync(Func<LogLine, bool> match, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                changed = _changed.Task;
            }

            foreach (var line in _lines)
            {
                if (match(line))
                {
                    return line;
                }
            }

            try
            {
                await changed.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new Xunit.Sdk.XunitException("No matching log line. Lines:\n" + string.Join("\n", _lines.Select(l => l.ToString())));
            }
        }
    }

    /// <summary>Waits for the access-log line of a request whose URL contains <paramref name="urlPart"/>.</summary>
    public Task<LogLine> WaitForAccessLogAsync(string urlPart) =>
        WaitForAsync(l => l.Category == "EdgeProxy.AccessLog" && l.Message.Contains(urlPart, StringComparison.Ordinal));

    private void Add(LogLine line)
    {
        _lines.Enqueue(line);
        TaskCompletionSource previous;
        lock (_gate)
        {
            previous = _changed;
            _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        previous.TrySetResult();
    }

    private sealed class SinkLogger(TestLogSink sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var properties = state as IReadOnlyList<KeyValuePair<string, object?>>;
            sink.Add(new LogLine(category, logLevel, eventId, formatter(state, exception), properties ?? [], exception));
        }
    }
}

public sealed record LogLine(string Category, LogLevel Level, EventId EventId, string Message, IReadOnlyList<KeyValuePair<string, object?>> Properties, Exception? Exception)
{
    public object? Property(string name) => Properties.FirstOrDefault(p => p.Key == name).Value;

    public override string ToString() => $"{Level} {Category}[{EventId.Id}]: {Message}";
}
