using Microsoft.Extensions.Options;

namespace EdgeProxy.Configuration;

/// <summary>
/// <see cref="IOptionsMonitor{TOptions}"/> of <see cref="EdgeProxyOptions"/> that only moves to a new
/// configuration once <see cref="ConfigurationReloadGate"/> accepted it: an invalid change never
/// reaches <see cref="CurrentValue"/> (the stock monitor would bind it, or throw on every read).
/// </summary>
internal sealed class ValidatedOptionsMonitor : IOptionsMonitor<EdgeProxyOptions>, IDisposable
{
    private readonly ConfigurationReloadGate _gate;
    private readonly Lock _listenersGate = new();
    private readonly List<Action<EdgeProxyOptions, string?>> _listeners = [];

    public ValidatedOptionsMonitor(ConfigurationReloadGate gate, ILogger<ConfigurationReloadGate> logger)
    {
        _gate = gate;
        gate.UseLogger(logger);
        gate.OptionsChanged += Notify;
    }

    public EdgeProxyOptions CurrentValue => _gate.Options;

    public EdgeProxyOptions Get(string? name) => _gate.Options;

    public IDisposable? OnChange(Action<EdgeProxyOptions, string?> listener)
    {
        lock (_listenersGate)
        {
            _listeners.Add(listener);
        }

        return new Subscription(this, listener);
    }

    public void Dispose() => _gate.OptionsChanged -= Notify;

    private void Notify(EdgeProxyOptions options)
    {
        Action<EdgeProxyOptions, string?>[] listeners;
        lock (_listenersGate)
        {
            listeners = [.. _listeners];
        }

        foreach (var listener in listeners)
        {
            listener(options, Options.DefaultName);
        }
    }

    private sealed class Subscription(ValidatedOptionsMonitor monitor, Action<EdgeProxyOptions, string?> listener) : IDisposable
    {
        public void Dispose()
        {
            lock (monitor._listenersGate)
            {
                monitor._listeners.Remove(listener);
            }
        }
    }
}
