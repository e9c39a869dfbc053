using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Gozar.Configuration;

/// <summary>
/// Syntax of host names, IP literals and "host:port" as written in the config. Pure string checks:
/// nothing here resolves names or touches the network.
/// </summary>
internal static class HostSyntax
{
    private const int MaxHostNameLength = 253;
    private const int MaxLabelLength = 63;
    private const int MaxPortDigits = 5;

    public const string NoPort = "has no port (write host:port, e.g. 'example.com:443' or '[::1]:443')";
    public const string BadPort = "has an invalid port (ports are 1..65535)";
    public const string NeedsBrackets = "needs brackets around the IPv6 address, e.g. '[::1]:443'";
    public const string BadHost = "is not a valid host name or IP address";
    public const string BadBracketedHost = "has no valid IPv6 address inside the brackets";

    /// <summary>
    /// A DNS host name (RFC 1123 labels of letters, digits and inner hyphens, at most 253 chars).
    /// A last label of only digits is refused so a mistyped IPv4 address is not taken for a name.
    /// </summary>
    public static bool IsHostName(string text)
    {
        if (text.Length is 0 or > MaxHostNameLength)
        {
            return false;
        }

        var labels = text.Split('.');
        foreach (var label in labels)
        {
            if (!IsLabel(label))
            {
                return false;
            }
        }

        return !IsAllDigits(labels[^1]);
    }

    /// <summary>Dotted-quad IPv4 only: the odd forms IPAddress accepts ("1", "0x7f.1", "010.0.0.1") are refused.</summary>
    public static bool TryParseIPv4(string text, out IPAddress address)
    {
        address = IPAddress.None;
        var parts = text.Split('.');
        if (parts.Length != 4)
        {
            return false;
        }

        foreach (var part in parts)
        {
            if (part.Length is 0 or > 3 || !IsAllDigits(part) || (part.Length > 1 && part[0] == '0')
                || int.Parse(part, CultureInfo.InvariantCulture) > 255)
            {
                return false;
            }
        }

        address = IPAddress.Parse(text);
        return true;
    }

    /// <summary>An IPv6 literal without brackets (IPAddress alone would also take "[::1]:80").</summary>
    public static bool TryParseIPv6(string text, out IPAddress address)
    {
        address = IPAddress.IPv6None;
        if (!text.Contains(':', StringComparison.Ordinal)
            || text.AsSpan().IndexOfAny("[]/ \t") >= 0
            || !IPAddress.TryParse(text, out var parsed)
            || parsed.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return false;
        }

        address = parsed;
        return true;
    }

    /// <summary>A host name, IPv4 literal or bare IPv6 literal, normalized (names lower-cased).</summary>
    public static bool TryNormalizeHost(string text, out string host)
    {
        if (TryParseIPv4(text, out var v4))
        {
            host = v4.ToString();
            return true;
        }

        if (TryParseIPv6(text, out var v6))
        {
            host = v6.ToString();
            return true;
        }

        host = text.ToLowerInvariant();
        return IsHostName(text);
    }

    /// <summary>Parses "host:port", "a.b.c.d:port" or "[v6]:port"; returns null or what is wrong.</summary>
    public static string? TryParseHostPort(string text, out string host, out int port)
    {
        host = string.Empty;
        port = 0;
        string hostText;
        string portText;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || !TryParseIPv6(text[1..close], out var v6))
            {
                return BadBracketedHost;
            }

            if (close == text.Length - 1)
            {
                return NoPort;
            }

            if (text[close + 1] != ':')
            {
                return BadHost;
            }

            hostText = v6.ToString();
            portText = text[(close + 2)..];
        }
        else
        {
            var colon = text.LastIndexOf(':');
            if (colon < 0)
            {
                return TryNormalizeHost(text, out _) ? NoPort : BadHost;
            }

            hostText = text[..colon];
            portText = text[(colon + 1)..];
            if (hostText.Contains(':', StringComparison.Ordinal))
            {
                return NeedsBrackets;
            }

            if (!TryNormalizeHost(hostText, out hostText))
            {
                return BadHost;
            }
        }

        if (!TryParsePort(portText, out port))
        {
            return BadPort;
        }

        host = hostText;
        return null;
    }

    /// <summary>An IP literal and port, as the listener binds it; host names are refused.</summary>
    public static string? TryParseIPEndPoint(string text, out IPEndPoint endPoint)
    {
        endPoint = new IPEndPoint(IPAddress.Any, 0);
        var problem = TryParseHostPort(text, out var host, out var port);
        if (problem is not null)
        {
            return problem;
        }

        if (!TryParseIPv4(host, out var address) && !TryParseIPv6(host, out address))
        {
            return "is not an IP address and port (host names are not allowed here), e.g. '0.0.0.0:443' or '[::]:443'";
        }

        endPoint = new IPEndPoint(address, port);
        return null;
    }

    private static bool TryParsePort(string text, out int port)
    {
        port = 0;
        if (text.Length is 0 or > MaxPortDigits || !IsAllDigits(text))
        {
            return false;
        }

        port = int.Parse(text, CultureInfo.InvariantCulture);
        return port is >= 1 and <= IPEndPoint.MaxPort;
    }

    private static bool IsLabel(string label)
    {
        if (label.Length is 0 or > MaxLabelLength || label[0] == '-' || label[^1] == '-')
        {
            return false;
        }

        foreach (var c in label)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '-')
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsAllDigits(string text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return text.Length > 0;
    }
}
