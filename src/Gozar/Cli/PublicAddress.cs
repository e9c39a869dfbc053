using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Gozar.Cli;

/// <summary>
/// The host written into links. Never asks the network: the configured public_host, else an address of a local
/// interface that is not loopback, else a placeholder the operator must replace.
/// </summary>
public static class PublicAddress
{
    // A valid host name, so that links can be written with it: with no interface but loopback (a container without a
    // network, a namespace of its own) the proxy still starts and prints its links.
    public const string Placeholder = "YOUR-SERVER-ADDRESS";

    public static (string Host, bool IsPlaceholder) Choose(string? configured)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return (configured, false);
        }

        var found = FindInterfaceAddress();
        return found is null ? (Placeholder, true) : (found.ToString(), false);
    }

    private static IPAddress? FindInterfaceAddress()
    {
        IPAddress? ipv6 = null;
        try
        {
            foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
            {
                if (nic.OperationalStatus != OperationalStatus.Up || nic.NetworkInterfaceType == NetworkInterfaceType.Loopback)
                {
                    continue;
                }

                foreach (var unicast in nic.GetIPProperties().UnicastAddresses)
                {
                    var address = unicast.Address;
                    if (IPAddress.IsLoopback(address))
                    {
                        continue;
                    }

                    if (address.AddressFamily == AddressFamily.InterNetwork)
                    {
                        return address;
                    }

                    if (address.AddressFamily == AddressFamily.InterNetworkV6 && !address.IsIPv6LinkLocal && ipv6 is null)
                    {
                        ipv6 = address;
                    }
                }
            }
        }
        catch (NetworkInformationException)
        {
            return null;
        }

        return ipv6;
    }
}
