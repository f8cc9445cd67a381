using Microsoft.Extensions.Options;

namespace EdgeProxy.Configuration;

/// <summary>
/// <see cref="IOptionsMonitor{TOptions}"/> of <see cref="EdgeProxyOptions"/> that only moves to a new
/// configuration once <see cref="ConfigurationReloadGate"/> accepted it: an invalid change never
/// reaches <see cref="CurrentValue"/> (the stock monitor would bind it, or throw on every read).
/// Values come from the options factory, so <c>Configure</c>/<c>PostConfigure</c> registrations apply.
/// </summary>
internal sealed class ValidatedOptionsMonitor : IOptionsMonitor<EdgeProxyOptions>, IDisposable
{
    private readonly ConfigurationReloadGate _gate;
    private readonly IOptionsFactory<EdgeProxyOptions> _factory;
    private readonly Lock _listenersGate = new();
    private readonly List<Action<EdgeProxyOptions, string?>> _listeners = [];
    private volatile EdgeProxyOptions _current;

    public ValidatedOptionsMonitor(ConfigurationReloadGate gate, IOptionsFactory<EdgeProxyOptions> factory, ILogger<ConfigurationReloadGate> logger)
    {
        _gate = gate;
        _factory = factory;
        _current = factory.Create(Options.DefaultName);
        gate.UseLogger(logger);
        gate.OptionsChanged += Notify;
    }

    public EdgeProxyOptions CurrentValue => _current;

    public EdgeProxyOptions Get(string? name) => _current;

    public IDisposable? OnChange(Action<EdgeProxyOptions, string?> listener)
    {
        lock (_listenersGate)
        {
            _listeners.Add(listener);
        }

        return new Subscription(this, listener);
    }

    public void Dispose() => _gate.OptionsChanged -= Notify;

    private void Notify(EdgeProxyOptions accepted)
    {
        // The gate validated this configuration; build the value the usual way (Configure/PostConfigure apply).
        // Should the files have changed again in between so that binding fails, take what the gate bound.
        EdgeProxyOptions options;
        try
        {
            options = _factory.Create(Options.DefaultName);
        }
        catch (InvalidOperationException)
        {
            options = accepted;
        }

        _current = options;
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
