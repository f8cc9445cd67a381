using System.Diagnostics.Metrics;
using EdgeProxy.Observability;

namespace EdgeProxy.Origins;

/// <summary>
/// Creates the <see cref="InterimRelay"/> of a client request (forwarding and cache fills) and counts the interim
/// responses origins sent for clients: <c>edgeproxy.origin.interim_responses{status, outcome=relayed|dropped}</c>.
/// </summary>
internal sealed class InterimRelays
{
    private readonly Counter<long> _interim;

    public InterimRelays(IMeterFactory meterFactory, ILogger<InterimRelay> logger)
    {
        Logger = logger;
        _interim = meterFactory.Create(EdgeProxyMeter.Name).CreateCounter<long>("edgeproxy.origin.interim_responses", "{response}",
            "Interim (1xx) responses from origins for a client that may be sent them, by status and outcome (relayed, dropped)");
    }

    internal ILogger Logger { get; }

    /// <summary>A relay to <paramref name="context"/>'s client, or null when that client may not be sent a 1xx.</summary>
    public InterimRelay? TryCreate(HttpContext context) => InterimRelay.TryCreate(context, this);

    internal void Count(int status, bool relayed)
    {
        if (_interim.Enabled)
        {
            _interim.Add(1, new KeyValuePair<string, object?>("status", status), new KeyValuePair<string, object?>("outcome", relayed ? "relayed" : "dropped"));
        }
    }
}
