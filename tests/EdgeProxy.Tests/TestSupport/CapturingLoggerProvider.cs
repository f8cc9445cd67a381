using Microsoft.Extensions.Logging;

namespace EdgeProxy.Tests.TestSupport;

/// <summary>A logger provider that keeps every formatted message, from every category, in one list.</summary>
public sealed class CapturingLoggerProvider(List<string> messages) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Capturing(messages);

    public void Dispose()
    {
    }

    private sealed class Capturing(List<string> messages) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (messages)
            {
                messages.Add(formatter(state, exception));
            }
        }
    }
}
