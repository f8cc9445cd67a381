namespace EdgeProxy.Observability;

/// <summary>
/// The product's one meter. Every capability creates its instruments on it through
/// <c>IMeterFactory.Create(EdgeProxyMeter.Name)</c> (the factory hands back the same meter), so the
/// exporters listen to one name.
/// </summary>
public static class EdgeProxyMeter
{
    public const string Name = "EdgeProxy";
}
