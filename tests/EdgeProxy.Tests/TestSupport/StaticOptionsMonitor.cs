using Microsoft.Extensions.Options;

namespace EdgeProxy.Tests.TestSupport;

/// <summary>An options monitor over one value that tests can replace to simulate a configuration reload.</summary>
public sealed class StaticOptionsMonitor<T> : IOptionsMonitor<T>
{
    private readonly List<Action<T, string?>> _listeners = [];

    public StaticOptionsMonitor(T value) => CurrentValue = value;

    public T CurrentValue { get; private set; }

    public T Get(string? name) => CurrentValue;

    public IDisposable? OnChange(Action<T, string?> listener)
    {
        _listeners.Add(listener);
        return null;
    }

    public void Reload(T value)
    {
        CurrentValue = value;
        foreach (var listener in _listeners)
        {
            listener(value, null);
        }
    }
}
