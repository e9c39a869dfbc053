using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Gozar.Cli;

/// <summary>
/// The host written into links. Never asks the network: the configured public_host, else an address of a local
/// interface that is not loopback (a public one first), else a placeholder the operator must replace.
/// </summary>
public static class PublicAddress
{
    // A valid host name, so that links can be written with it: with no interface but loopback (a container without a
    // network, a namespace of its own) the proxy still starts and prints its links.
    public const string Placeholder = "YOUR-SERVER-ADDRESS";

    /// <param name="listen">The proxy's listeners: an address is chosen only in a family one of them takes.</param>
    public static (string Host, bool IsPlaceholder) Choose(string? configured, IReadOnlyList<IPEndPoint> listen)
    {
        ArgumentNullException.ThrowIfNull(listen);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return (configured, false);
        }

        var found = FindInterfaceAddress(listen);
        return found is null ? (Placeholder, true) : (found.ToString(), false);
    }

    /// <summary>
    /// The line to print under the links, or null: the placeholder must be replaced, and a private address found on an
    /// interface (a cloud server behind 1:1 NAT has only that one) gives links nobody outside can use.
    /// </summary>
    public static string? Hint(string? configured, string host, IReadOnlyList<IPEndPoint> listen)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return null;
        }

        if (host == Placeholder)
        {
            return $"Replace {Placeholder} with this server's public IP or host name, or set public_host in the config.";
        }

        if (!IPAddress.TryParse(host, out var address))
        {
            return null;
        }

        if (IsPrivate(address))
        {
            return $"{host} is a private address: if clients reach this server at another one (behind NAT, as on most cloud servers), set public_host in the config.";
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return null;
        }

        return ListenFamilies(listen).Ipv4
            ? $"{host} is an IPv6 address: clients on networks without IPv6 cannot use these links. If this server also has a public IPv4 address (behind NAT, as on most cloud servers), set public_host to it."
            : $"{host} is an IPv6 address and Gozar listens on IPv6 only: clients on networks without IPv6 cannot use these links. To take them too, add an IPv4 listener (listen = [\"0.0.0.0:443\", \"[::]:443\"]) and, if the server's public IPv4 is not on an interface (behind NAT, as on most cloud servers), set public_host to it.";
    }

    /// <summary>RFC 1918, shared (carrier NAT) and link-local IPv4; unique-local and site-local IPv6.</summary>
    public static bool IsPrivate(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return b[0] == 10 || (b[0] == 172 && (b[1] & 0xF0) == 16) || (b[0] == 192 && b[1] == 168)
                || (b[0] == 100 && (b[1] & 0xC0) == 64) || (b[0] == 169 && b[1] == 254);
        }

        return (address.GetAddressBytes()[0] & 0xFE) == 0xFC || address.IsIPv6SiteLocal || address.IsIPv6LinkLocal;
    }

    /// <summary>
    /// The address for links among an interface's, for a proxy listening on <paramref name="listen"/>: only in a family
    /// one of them takes (an IPv6 listener is bound IPv6-only, so "[::]:443" alone takes no IPv4 client), see
    /// <see cref="Pick(IEnumerable{IPAddress}, bool, bool)"/>.
    /// </summary>
    public static IPAddress? Pick(IEnumerable<IPAddress> addresses, IReadOnlyList<IPEndPoint> listen)
    {
        var (ipv4, ipv6) = ListenFamilies(listen);
        return Pick(addresses, ipv6, ipv4);
    }

    /// <summary>The address families the listeners take; none listed counts as IPv4, the default.</summary>
    private static (bool Ipv4, bool Ipv6) ListenFamilies(IReadOnlyList<IPEndPoint> listen)
    {
        ArgumentNullException.ThrowIfNull(listen);
        var ipv4 = listen.Count == 0;
        var ipv6 = false;
        foreach (var endpoint in listen)
        {
            ipv4 |= endpoint.AddressFamily == AddressFamily.InterNetwork;
            ipv6 |= endpoint.AddressFamily == AddressFamily.InterNetworkV6;
        }

        return (ipv4, ipv6);
    }

    /// <summary>
    /// The address for links among an interface's: a public one before a private one (a server with a private IPv4 and
    /// a global IPv6 is reachable at the IPv6), IPv4 before IPv6 among equals; IPv6 only when the proxy listens on it,
    /// IPv4 likewise; never loopback or IPv6 link-local.
    /// </summary>
    public static IPAddress? Pick(IEnumerable<IPAddress> addresses, bool ipv6, bool ipv4 = true) =>
        addresses
            .Where(a => !IPAddress.IsLoopback(a) && !a.IsIPv6LinkLocal
                && ((ipv4 && a.AddressFamily == AddressFamily.InterNetwork) || (ipv6 && a.AddressFamily == AddressFamily.InterNetworkV6)))
            .Select((address, index) => (address, index))
            .OrderBy(a => IsPrivate(a.address))
            .ThenBy(a => a.address.AddressFamily != AddressFamily.InterNetwork)
            .ThenBy(a => a.index)
            .Select(a => a.address)
            .FirstOrDefault();

    private static IPAddress? FindInterfaceAddress(IReadOnlyList<IPEndPoint> listen)
    {
        try
        {
            return Pick(
                NetworkInterface.GetAllNetworkInterfaces()
                    .Where(nic => nic.OperationalStatus == OperationalStatus.Up && nic.NetworkInterfaceType != NetworkInterfaceType.Loopback)
                    .SelectMany(nic => nic.GetIPProperties().UnicastAddresses.Select(unicast => unicast.Address))
                    .ToList(),
                listen);
        }
        catch (NetworkInformationException)
        {
            return null;
        }
    }
}
