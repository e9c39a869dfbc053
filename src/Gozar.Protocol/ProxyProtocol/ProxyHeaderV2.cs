using System.Buffers.Binary;
using System.Net;

namespace Gozar.Protocol.ProxyProtocol;

/// <summary>
/// The binary form, HAProxy's proxy-protocol.txt §2.2. Multi-byte numbers are big-endian.
/// <code>
///  0                   12        13        14          16
/// +-------------------+---------+---------+-----------+------------------------------+--------------+
/// | signature (12)    | ver|cmd | fam|prt | len (u16) | addresses (by family)        | TLVs         |
/// | 0D0A0D0A000D0A    | 2  0|1  | 0..3|0..2|           | INET  src4 dst4 sport dport  | type (1)     |
/// |   515549540A      |         |         |           | INET6 src16 dst16 sport dport| length (u16) |
/// |                   |         |         |           | UNIX  src108 dst108          | value        |
/// +-------------------+---------+---------+-----------+------------------------------+--------------+
///                                                      \_______________ len bytes _________________/
/// </code>
/// ver must be 2; cmd 0 is LOCAL (the body is ignored), 1 is PROXY. fam 0 UNSPEC, 1 INET, 2 INET6, 3 UNIX; prt 0
/// UNSPEC, 1 STREAM, 2 DGRAM; UNSPEC goes only with UNSPEC. Only a STREAM over INET or INET6 names the client; for the
/// other valid pairs the connection's own addresses apply. TLVs are checked to fit and then skipped; after UNSPEC the
/// whole block is discarded unread, as the spec asks.
/// </summary>
internal static class ProxyHeaderV2
{
    public const byte FirstByte = 0x0d;
    public const int FixedLength = LengthOffset + LengthSize;

    private const int SignatureLength = 12;
    private const int VersionCommandOffset = 12;
    private const int FamilyProtocolOffset = 13;
    private const int LengthOffset = 14;
    private const int LengthSize = 2;

    private const int Version = 2;
    private const int CommandLocal = 0x0;
    private const int CommandProxy = 0x1;

    private const int FamilyUnspecified = 0x0;
    private const int FamilyInet = 0x1;
    private const int FamilyInet6 = 0x2;
    private const int FamilyUnix = 0x3;
    private const int ProtocolUnspecified = 0x0;
    private const int ProtocolStream = 0x1;
    private const int ProtocolDatagram = 0x2;

    private const int Inet4AddressLength = 4;
    private const int Inet6AddressLength = 16;
    private const int PortLength = 2;
    private const int UnixAddressLength = 108;
    private const int TlvHeaderLength = 3;
    private const int TlvLengthOffset = 1;

    private static ReadOnlySpan<byte> Signature => [0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a];

    public static ProxyHeader Parse(ReadOnlySpan<byte> data, int maxLength)
    {
        var signature = Math.Min(data.Length, SignatureLength);
        if (!data[..signature].SequenceEqual(Signature[..signature]))
        {
            return ProxyHeader.Invalid;
        }

        if (data.Length > VersionCommandOffset && !IsKnownVersionCommand(data[VersionCommandOffset]))
        {
            return ProxyHeader.Invalid;
        }

        if (data.Length > FamilyProtocolOffset && !IsKnownFamilyProtocol(data[FamilyProtocolOffset]))
        {
            return ProxyHeader.Invalid;
        }

        if (data.Length < FixedLength)
        {
            return ProxyHeader.NeedMore;
        }

        var length = FixedLength + BinaryPrimitives.ReadUInt16BigEndian(data[LengthOffset..]);
        var family = data[FamilyProtocolOffset] >> 4;
        var command = data[VersionCommandOffset] & 0x0f;
        if (length > maxLength || (command == CommandProxy && length - FixedLength < AddressBlockLength(family)))
        {
            return ProxyHeader.Invalid;
        }

        if (data.Length < length)
        {
            return ProxyHeader.NeedMore;
        }

        var body = data[FixedLength..length];
        if (command == CommandLocal)
        {
            return ProxyHeader.Parsed(Version, length, ProxyCommand.Local, source: null, destination: null);
        }

        var addresses = AddressBlockLength(family);
        if (family != FamilyUnspecified && !TlvsFit(body[addresses..]))
        {
            return ProxyHeader.Invalid;
        }

        if ((data[FamilyProtocolOffset] & 0x0f) != ProtocolStream || family is not (FamilyInet or FamilyInet6))
        {
            return ProxyHeader.Parsed(Version, length, ProxyCommand.Proxy, source: null, destination: null);
        }

        var addressLength = family == FamilyInet ? Inet4AddressLength : Inet6AddressLength;
        var source = new IPAddress(body[..addressLength]);
        var destination = new IPAddress(body.Slice(addressLength, addressLength));
        var sourcePort = BinaryPrimitives.ReadUInt16BigEndian(body[(2 * addressLength)..]);
        var destinationPort = BinaryPrimitives.ReadUInt16BigEndian(body[((2 * addressLength) + PortLength)..]);
        return ProxyHeader.Parsed(
            Version, length, ProxyCommand.Proxy, new IPEndPoint(source, sourcePort), new IPEndPoint(destination, destinationPort));
    }

    private static bool IsKnownVersionCommand(byte value) =>
        value >> 4 == Version && (value & 0x0f) is CommandLocal or CommandProxy;

    private static bool IsKnownFamilyProtocol(byte value)
    {
        var family = value >> 4;
        var protocol = value & 0x0f;
        return family == FamilyUnspecified
            ? protocol == ProtocolUnspecified
            : family <= FamilyUnix && protocol is ProtocolStream or ProtocolDatagram;
    }

    private static int AddressBlockLength(int family) => family switch
    {
        FamilyInet => (2 * Inet4AddressLength) + (2 * PortLength),
        FamilyInet6 => (2 * Inet6AddressLength) + (2 * PortLength),
        FamilyUnix => 2 * UnixAddressLength,
        _ => 0,
    };

    /// <summary>Every TLV's header and value lie inside the block, and nothing is left over.</summary>
    private static bool TlvsFit(ReadOnlySpan<byte> tlvs)
    {
        while (!tlvs.IsEmpty)
        {
            if (tlvs.Length < TlvHeaderLength)
            {
                return false;
            }

            var next = TlvHeaderLength + BinaryPrimitives.ReadUInt16BigEndian(tlvs[TlvLengthOffset..]);
            if (next > tlvs.Length)
            {
                return false;
            }

            tlvs = tlvs[next..];
        }

        return true;
    }
}
