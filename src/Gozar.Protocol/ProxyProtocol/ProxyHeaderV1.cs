using System.Buffers;
using System.Net;
using System.Net.Sockets;

namespace Gozar.Protocol.ProxyProtocol;

/// <summary>
/// The text form, HAProxy's proxy-protocol.txt §2.1: one line of US-ASCII, fields separated by exactly one space.
/// <code>
/// "PROXY" SP "TCP4" SP src-ipv4 SP dst-ipv4 SP src-port SP dst-port "\r\n"
/// "PROXY" SP "TCP6" SP src-ipv6 SP dst-ipv6 SP src-port SP dst-port "\r\n"
/// "PROXY" SP "UNKNOWN" [anything but "\r\n"] "\r\n"
/// </code>
/// At most 107 bytes with the "\r\n". Ports are decimal 0..65535; addresses and ports carry no leading zeros. After
/// UNKNOWN the rest of the line is ignored and the connection's own addresses apply.
/// </summary>
internal static class ProxyHeaderV1
{
    public const byte FirstByte = (byte)'P';

    private const int FieldCount = 6;
    private const int ProtocolField = 1;
    private const int SourceAddressField = 2;
    private const int DestinationAddressField = 3;
    private const int SourcePortField = 4;
    private const int DestinationPortField = 5;
    private const int MaxPortDigits = 5;
    private const int MaxIPv6TextLength = 45;
    private const int IPv4Octets = 4;
    private const int MaxOctetDigits = 3;
    private const byte Space = (byte)' ';
    private const byte CarriageReturn = (byte)'\r';
    private const byte LineFeed = (byte)'\n';

    private static readonly SearchValues<byte> IPv6Characters = SearchValues.Create("0123456789abcdefABCDEF:."u8);

    private static ReadOnlySpan<byte> Preamble => "PROXY "u8;

    private static ReadOnlySpan<byte> Tcp4 => "TCP4"u8;

    private static ReadOnlySpan<byte> Tcp6 => "TCP6"u8;

    private static ReadOnlySpan<byte> Unknown => "UNKNOWN"u8;

    public static ProxyHeader Parse(ReadOnlySpan<byte> data)
    {
        var preamble = Math.Min(data.Length, Preamble.Length);
        if (!data[..preamble].SequenceEqual(Preamble[..preamble]))
        {
            return ProxyHeader.Invalid;
        }

        var window = data[..Math.Min(data.Length, ProxyHeader.MaxV1Length)];
        var end = window.IndexOf(LineFeed);
        if (end < 0)
        {
            // Only printable text and a last '\r' can still become a header: garbage is refused without waiting.
            var text = window.Length > 0 && window[^1] == CarriageReturn ? window[..^1] : window;
            return window.Length < ProxyHeader.MaxV1Length && !text.ContainsAnyExceptInRange((byte)0x20, (byte)0x7e)
                ? ProxyHeader.NeedMore
                : ProxyHeader.Invalid;
        }

        if (end < Preamble.Length || window[end - 1] != CarriageReturn)
        {
            return ProxyHeader.Invalid;
        }

        var line = window[..(end - 1)];
        if (line.ContainsAnyExceptInRange((byte)0x20, (byte)0x7e))
        {
            return ProxyHeader.Invalid;
        }

        return ParseLine(line, end + 1);
    }

    private static ProxyHeader ParseLine(ReadOnlySpan<byte> line, int length)
    {
        Span<Range> fields = stackalloc Range[FieldCount + 1];
        var count = Split(line, Space, fields);
        var protocol = count > ProtocolField ? line[fields[ProtocolField]] : [];
        if (protocol.SequenceEqual(Unknown))
        {
            return ProxyHeader.Parsed(1, length, ProxyCommand.Proxy, source: null, destination: null);
        }

        AddressFamily family;
        if (protocol.SequenceEqual(Tcp4))
        {
            family = AddressFamily.InterNetwork;
        }
        else if (protocol.SequenceEqual(Tcp6))
        {
            family = AddressFamily.InterNetworkV6;
        }
        else
        {
            return ProxyHeader.Invalid;
        }

        if (count != FieldCount
            || !TryParseAddress(line[fields[SourceAddressField]], family, out var sourceAddress)
            || !TryParseAddress(line[fields[DestinationAddressField]], family, out var destinationAddress)
            || !TryParsePort(line[fields[SourcePortField]], out var sourcePort)
            || !TryParsePort(line[fields[DestinationPortField]], out var destinationPort))
        {
            return ProxyHeader.Invalid;
        }

        return ProxyHeader.Parsed(
            1, length, ProxyCommand.Proxy, new IPEndPoint(sourceAddress, sourcePort), new IPEndPoint(destinationAddress, destinationPort));
    }

    /// <summary>
    /// Splits at every <paramref name="separator"/> into at most <c>fields.Length</c> ranges and returns how many
    /// fields there are; a count above <c>fields.Length</c> means "too many" and only the first ranges are filled.
    /// </summary>
    private static int Split(ReadOnlySpan<byte> text, byte separator, Span<Range> fields)
    {
        var count = 0;
        var start = 0;
        while (true)
        {
            var next = text[start..].IndexOf(separator);
            var end = next < 0 ? text.Length : start + next;
            if (count < fields.Length)
            {
                fields[count] = start..end;
            }

            count++;
            if (next < 0)
            {
                return count;
            }

            start = end + 1;
        }
    }

    private static bool TryParseAddress(ReadOnlySpan<byte> text, AddressFamily family, out IPAddress address) =>
        family == AddressFamily.InterNetwork ? TryParseIPv4(text, out address) : TryParseIPv6(text, out address);

    /// <summary>Dotted quad only: the shorthand and octal forms IPAddress.TryParse would take are refused.</summary>
    private static bool TryParseIPv4(ReadOnlySpan<byte> text, out IPAddress address)
    {
        address = IPAddress.None;
        Span<byte> octets = stackalloc byte[IPv4Octets];
        Span<Range> parts = stackalloc Range[IPv4Octets];
        if (Split(text, (byte)'.', parts) != IPv4Octets)
        {
            return false;
        }

        for (var i = 0; i < IPv4Octets; i++)
        {
            if (!TryParseDecimal(text[parts[i]], MaxOctetDigits, out var octet) || octet > byte.MaxValue)
            {
                return false;
            }

            octets[i] = (byte)octet;
        }

        address = new IPAddress(octets);
        return true;
    }

    private static bool TryParseIPv6(ReadOnlySpan<byte> text, out IPAddress address)
    {
        address = IPAddress.IPv6None;
        if (text.IsEmpty || text.Length > MaxIPv6TextLength || text.ContainsAnyExcept(IPv6Characters))
        {
            return false;
        }

        Span<char> chars = stackalloc char[MaxIPv6TextLength];
        for (var i = 0; i < text.Length; i++)
        {
            chars[i] = (char)text[i];
        }

        if (!IPAddress.TryParse(chars[..text.Length], out var parsed) || parsed.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return false;
        }

        address = parsed;
        return true;
    }

    private static bool TryParsePort(ReadOnlySpan<byte> text, out int port) =>
        TryParseDecimal(text, MaxPortDigits, out port) && port <= ushort.MaxValue;

    /// <summary>1..<paramref name="maxDigits"/> ASCII digits without a leading zero (a lone "0" is fine).</summary>
    private static bool TryParseDecimal(ReadOnlySpan<byte> text, int maxDigits, out int value)
    {
        value = 0;
        if (text.IsEmpty || text.Length > maxDigits || (text.Length > 1 && text[0] == (byte)'0'))
        {
            return false;
        }

        foreach (var digit in text)
        {
            if (digit is < (byte)'0' or > (byte)'9')
            {
                return false;
            }

            value = (value * 10) + (digit - '0');
        }

        return true;
    }
}
