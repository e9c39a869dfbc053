using System.Net;
using System.Net.Sockets;

namespace Gozar.Protocol.Secrets;

/// <summary>Strict ASCII checks for the host names and IP literals that go into secrets and links.</summary>
internal static class HostName
{
    public const int MaxLength = 253;
    private const int MaxLabelLength = 63;

    /// <summary>
    /// Letters-digits-hyphen names (RFC 1123 §2.1): labels of 1..63 characters, no hyphen at either end.
    /// The last label may not be all digits, so that a mistyped dotted number is never taken for a name.
    /// No trailing dot, no underscore, no IDN: operators write punycode themselves.
    /// </summary>
    public static bool IsValid(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty || name.Length > MaxLength)
        {
            return false;
        }

        var rest = name;
        while (true)
        {
            var dot = rest.IndexOf('.');
            var label = dot < 0 ? rest : rest[..dot];
            if (!IsValidLabel(label))
            {
                return false;
            }

            if (dot < 0)
            {
                return !IsAllDigits(label);
            }

            rest = rest[(dot + 1)..];
        }
    }

    /// <summary>
    /// Four decimal octets 0..255 separated by dots, nothing else: no hex, no short forms and no leading zeros,
    /// because tdlib parses with inet_addr, which reads "010" as octal.
    /// </summary>
    public static bool IsIPv4Literal(ReadOnlySpan<char> text)
    {
        var rest = text;
        for (var part = 0; part < 4; part++)
        {
            var end = 0;
            var value = 0;
            while (end < rest.Length && end < 3 && char.IsAsciiDigit(rest[end]))
            {
                value = (value * 10) + (rest[end] - '0');
                end++;
            }

            if (end == 0 || value > 255 || (end > 1 && rest[0] == '0'))
            {
                return false;
            }

            rest = rest[end..];
            if (part < 3)
            {
                if (rest.IsEmpty || rest[0] != '.')
                {
                    return false;
                }

                rest = rest[1..];
            }
        }

        return rest.IsEmpty;
    }

    /// <summary>
    /// Accepts a link's <c>server</c>: an IPv4 literal, an IPv6 literal with or without brackets, or a host name.
    /// IPv6 comes back bare and in canonical form: tdesktop decides "is IPv6" by the presence of ':' and hands the
    /// host to its socket layer as is, and tdlib resolves a bare literal too, so the bare form works in both.
    /// </summary>
    public static bool TryNormalizeServer(string server, out string normalized)
    {
        normalized = string.Empty;
        var text = server.AsSpan();
        var bracketed = text.Length > 2 && text[0] == '[' && text[^1] == ']';
        if (bracketed)
        {
            text = text[1..^1];
        }

        if (text.Contains(':'))
        {
            if (!IsIPv6Characters(text) || !IPAddress.TryParse(text, out var address)
                || address.AddressFamily != AddressFamily.InterNetworkV6)
            {
                return false;
            }

            normalized = address.ToString();
            return true;
        }

        if (bracketed || !(IsIPv4Literal(text) || IsValid(text)))
        {
            return false;
        }

        normalized = server;
        return true;
    }

    private static bool IsValidLabel(ReadOnlySpan<char> label)
    {
        if (label.IsEmpty || label.Length > MaxLabelLength || label[0] == '-' || label[^1] == '-')
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

    private static bool IsAllDigits(ReadOnlySpan<char> label)
    {
        foreach (var c in label)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsIPv6Characters(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiHexDigit(c) && c != ':' && c != '.')
            {
                return false;
            }
        }

        return true;
    }
}
