using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Gozar.Configuration;

public static partial class ConfigLoader
{
    private const string NetworkExample = "e.g. '10.0.0.0/8', '127.0.0.1/32' or '::1/128'";

    private static readonly string[] ProxyProtocolKeys = ["listeners", "trusted", "max_header"];

    private static ProxyProtocolOptions BindProxyProtocol(ConfigTable section, IReadOnlyList<IPEndPoint> listen)
    {
        var defaults = new ProxyProtocolOptions();
        if (section.Count == 0)
        {
            return defaults;
        }

        section.RejectUnknownKeys(ProxyProtocolKeys);
        return new ProxyProtocolOptions
        {
            Listeners = BindProxyListeners(section, listen),
            Trusted = BindTrustedNetworks(section),
            MaxHeaderBytes = (int)section.ByteSize("max_header", defaults.MaxHeaderBytes, 256, 32 * 1024),
        };
    }

    private static List<IPEndPoint> BindProxyListeners(ConfigTable section, IReadOnlyList<IPEndPoint> listen)
    {
        var listeners = new List<IPEndPoint>();
        var entries = section.StringArray("listeners");
        if (entries is null || entries.Count == 0)
        {
            if (entries is not null || !section.Contains("listeners"))
            {
                section.Fail("listeners", "needs at least one of the listen addresses, e.g. listeners = [\"0.0.0.0:443\"]");
            }

            return listeners;
        }

        for (var i = 0; i < entries.Count; i++)
        {
            var path = ConfigText.Index(section.PathOf("listeners"), i);
            if (HostSyntax.TryParseIPEndPoint(entries[i], out var endPoint) is { } problem)
            {
                section.FailAt(path, $"{ConfigText.Show(entries[i])} {problem}");
            }
            else if (!listen.Contains(endPoint))
            {
                section.FailAt(path, $"{ConfigText.Show(entries[i])} is not one of the addresses in listen");
            }
            else if (listeners.Contains(endPoint))
            {
                section.FailAt(path, $"{ConfigText.Show(entries[i])} is listed twice");
            }
            else
            {
                listeners.Add(endPoint);
            }
        }

        return listeners;
    }

    private static List<IPNetwork> BindTrustedNetworks(ConfigTable section)
    {
        var networks = new List<IPNetwork>();
        var entries = section.StringArray("trusted");
        if (entries is null || entries.Count == 0)
        {
            if (entries is not null || !section.Contains("trusted"))
            {
                section.Fail("trusted", $"needs at least one network of your load balancers, {NetworkExample}");
            }

            return networks;
        }

        for (var i = 0; i < entries.Count; i++)
        {
            if (TryParseNetwork(entries[i], out var network) is { } problem)
            {
                section.FailAt(ConfigText.Index(section.PathOf("trusted"), i), $"{ConfigText.Show(entries[i])} {problem}");
            }
            else
            {
                networks.Add(network);
            }
        }

        return networks;
    }

    /// <summary>A list of networks under <paramref name="key"/> (may be empty); null when the key is absent or not a list.</summary>
    private static List<IPNetwork>? BindNetworks(ConfigTable section, string key)
    {
        var entries = section.StringArray(key);
        if (entries is null)
        {
            return null;
        }

        var networks = new List<IPNetwork>();
        for (var i = 0; i < entries.Count; i++)
        {
            if (TryParseNetwork(entries[i], out var network) is { } problem)
            {
                section.FailAt(ConfigText.Index(section.PathOf(key), i), $"{ConfigText.Show(entries[i])} {problem}");
            }
            else
            {
                networks.Add(network);
            }
        }

        return networks;
    }

    /// <summary>"address/prefix", or a bare address for that one host; bits after the prefix must be zero.</summary>
    private static string? TryParseNetwork(string text, out IPNetwork network)
    {
        network = default;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var addressText = slash < 0 ? text : text[..slash];
        if (!HostSyntax.TryParseIPv4(addressText, out var address) && !HostSyntax.TryParseIPv6(addressText, out address))
        {
            return $"is not an IP network, {NetworkExample}";
        }

        var bits = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var prefix = bits;
        if (slash >= 0)
        {
            var prefixText = text[(slash + 1)..];
            if (prefixText.Length is 0 or > 3 || !prefixText.All(char.IsAsciiDigit)
                || (prefix = int.Parse(prefixText, CultureInfo.InvariantCulture)) > bits)
            {
                return $"has a prefix length that is not 0 .. {bits}";
            }
        }

        var masked = Mask(address, prefix);
        if (!masked.Equals(address))
        {
            return $"has address bits set after the prefix (did you mean '{masked}/{prefix}'?)";
        }

        network = new IPNetwork(address, prefix);
        return null;
    }

    private static IPAddress Mask(IPAddress address, int prefix)
    {
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var keep = Math.Clamp(prefix - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xff << (8 - keep));
        }

        return new IPAddress(bytes);
    }
}
