namespace EdgeProxy.Admin;

/// <summary>How the node leaves service on SIGTERM.</summary>
public sealed class LifecycleOptions
{
    /// <summary>
    /// After SIGTERM, how long <c>/readyz</c> answers 503 while the listeners keep serving, so the load
    /// balancer stops sending new requests before the sockets close. Default 0 (tests, dev); set it to
    /// your balancer's probe interval times its failure threshold in production.
    /// </summary>
    public TimeSpan DrainDelay { get; set; } = TimeSpan.Zero;

    /// <summary>How long in-flight requests may take to finish once the listeners stop. Default 30 s.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
