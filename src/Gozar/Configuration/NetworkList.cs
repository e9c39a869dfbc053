using System.Net;

namespace Gozar.Configuration;

/// <summary>Membership in a configured list of networks (per_ip_exempt, proxy_protocol.trusted).</summary>
public static class NetworkList
{
    public static bool Contains(IReadOnlyList<IPNetwork> networks, IPAddress address)
    {
        if (networks.Count == 0)
        {
            return false;
        }

        // A dual-stack listener sees IPv4 clients as ::ffff:a.b.c.d; the networks name them as IPv4.
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        foreach (var network in networks)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }
}
