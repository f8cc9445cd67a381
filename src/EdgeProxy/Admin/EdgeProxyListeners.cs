using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace EdgeProxy.Admin;

/// <summary>
/// The Kestrel endpoints EdgeProxy was configured with (<c>Kestrel:Endpoints:Proxy</c> and
/// <c>Kestrel:Endpoints:Admin</c>), with their bound ports once the server has started. Requests
/// arriving on an admin port are served by the admin branch and never reach the proxy.
/// </summary>
public sealed class EdgeProxyListeners
{
    private readonly List<ListenOptions> _proxy = [];
    private readonly List<ListenOptions> _admin = [];
    private readonly HashSet<ListenOptions> _https = [];
    private readonly Lock _gate = new();
    private int[] _adminPorts = [];

    internal void AddProxy(ListenOptions options, bool https = false)
    {
        lock (_gate)
        {
            _proxy.Add(options);
            MarkHttps(options, https);
        }
    }

    internal void AddAdmin(ListenOptions options, bool https = false)
    {
        lock (_gate)
        {
            _admin.Add(options);
            MarkHttps(options, https);
            _adminPorts = [];
        }
    }

    /// <summary>Bound addresses of the proxy listener (valid after start).</summary>
    public IReadOnlyList<Uri> ProxyAddresses => Addresses(_proxy);

    /// <summary>Bound addresses of the admin listener (valid after start).</summary>
    public IReadOnlyList<Uri> AdminAddresses => Addresses(_admin);

    /// <summary>True when the request arrived on the admin listener.</summary>
    public bool IsAdmin(HttpContext context)
    {
        var ports = _adminPorts;
        if (ports.Length == 0)
        {
            ports = RefreshAdminPorts();
        }

        var local = context.Connection.LocalPort;
        foreach (var port in ports)
        {
            if (port == local)
            {
                return true;
            }
        }

        return false;
    }

    private int[] RefreshAdminPorts()
    {
        lock (_gate)
        {
            _adminPorts = _admin.Select(o => (o.EndPoint as IPEndPoint)?.Port ?? -1).Where(p => p > 0).Distinct().ToArray();
            return _adminPorts;
        }
    }

    private void MarkHttps(ListenOptions options, bool https)
    {
        if (https)
        {
            _https.Add(options);
        }
    }

    private List<Uri> Addresses(List<ListenOptions> options)
    {
        lock (_gate)
        {
            return options
                .Select(o => (EndPoint: o.EndPoint as IPEndPoint, Scheme: _https.Contains(o) ? "https" : "http"))
                .Where(x => x.EndPoint is not null && x.EndPoint.Port > 0)
                .Select(x => new Uri($"{x.Scheme}://{Host(x.EndPoint!)}:{x.EndPoint!.Port}"))
                .ToList();
        }
    }

    private static string Host(IPEndPoint e) =>
        e.Address.Equals(IPAddress.IPv6Loopback) ? "[::1]"
        : e.Address.Equals(IPAddress.Any) || e.Address.Equals(IPAddress.IPv6Any) ? "127.0.0.1"
        : e.Address.ToString();
}
