using System.Net;

namespace EdgeProxy.Admin;

/// <summary>A set of client networks (CIDR) a request's remote address is checked against.</summary>
internal sealed class ClientNetworks
{
    private static readonly IPNetwork[] Loopback = [IPNetwork.Parse("127.0.0.0/8"), IPNetwork.Parse("::1/128")];

    private readonly IPNetwork[] _networks;

    private ClientNetworks(IPNetwork[] networks) => _networks = networks;

    /// <summary>Parses the configured CIDRs; an empty list means loopback only. Call only with validated input.</summary>
    public static ClientNetworks Parse(IReadOnlyList<string> cidrs)
    {
        if (cidrs.Count == 0)
        {
            return new ClientNetworks(Loopback);
        }

        var networks = new IPNetwork[cidrs.Count];
        for (var i = 0; i < cidrs.Count; i++)
        {
            networks[i] = IPNetwork.Parse(cidrs[i].Trim());
        }

        return new ClientNetworks(networks);
    }

    public static bool IsValid(string cidr) => IPNetwork.TryParse(cidr.Trim(), out _);

    public bool Contains(IPAddress? address)
    {
        if (address is null)
        {
            return false;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        foreach (var network in _networks)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }
}
