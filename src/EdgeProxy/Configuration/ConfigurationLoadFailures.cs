namespace EdgeProxy.Configuration;

/// <summary>Parse failures of configuration files on reload, waiting for the reload gate to report them.</summary>
internal sealed class ConfigurationLoadFailures
{
    /// <summary>Key under which the configuration builder's Properties hold the instance.</summary>
    public const string PropertyKey = "EdgeProxy.ConfigurationLoadFailures";

    private readonly Lock _gate = new();
    private List<string> _pending = [];

    public void Report(string failure)
    {
        lock (_gate)
        {
            _pending.Add(failure);
        }
    }

    /// <summary>The failures since the last call.</summary>
    public IReadOnlyList<string> Take()
    {
        lock (_gate)
        {
            var taken = _pending;
            _pending = [];
            return taken;
        }
    }
}
