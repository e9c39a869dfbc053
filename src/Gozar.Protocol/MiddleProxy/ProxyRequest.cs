using System.Buffers.Binary;
using Gozar.Protocol.Framing;

namespace Gozar.Protocol.MiddleProxy;

/// <summary>
/// The header of RPC_PROXY_REQ, which carries one client packet to the middle-end (spec §7.6):
/// <code>
/// 0 type | 4 flags | 8 conn_id (8) | 16 client IP (16) | 32 client port (4) | 36 proxy IP (16) | 52 proxy port (4)
/// with an ad tag: 56 extra_size = 24 | 60 ae 26 1e db, 10, tag (16), 00 00 00 | 84 packet
/// without:        56 packet
/// </code>
/// IPs are IPv6 bytes or IPv4-mapped (<c>00*10 ff ff a b c d</c>); ports are uint32 LE.
/// </summary>
public static class ProxyRequest
{
    public const int HeaderLength = 56;
    public const int HeaderLengthWithAdTag = 84;
    public const int AdTagLength = 16;
    public const int AddressLength = 16;

    public const uint NotEncrypted = 0x2;
    public const uint HasAdTag = 0x8;
    public const uint Magic = 0x1000;
    public const uint ExtMode2 = 0x20000;
    public const uint Padded = 0x8000000;
    public const uint IntermediateFraming = 0x20000000;
    public const uint AbridgedFraming = 0x40000000;
    public const uint QuickAck = 0x80000000;

    private const int FlagsOffset = 4;
    private const int ConnIdOffset = 8;
    private const int ClientAddressOffset = 16;
    private const int ClientPortOffset = 32;
    private const int ProxyAddressOffset = 36;
    private const int ProxyPortOffset = 52;
    private const int ExtraSizeOffset = 56;
    private const int ExtraOffset = 60;
    private const int ExtraLength = 24;
    private const int TagStringOffset = ExtraOffset + 4;
    private const int AuthKeyIdLength = 8;

    public static int GetHeaderLength(bool hasAdTag) => hasAdTag ? HeaderLengthWithAdTag : HeaderLength;

    /// <summary>
    /// Flags for one packet: framing and obfuscation bits by the client's tag (PAD for padded intermediate, as the
    /// re-implementations and the §8.6 vector do), NOT_ENCRYPTED when auth_key_id is zero.
    /// </summary>
    public static uint GetFlags(ProtocolTag tag, bool quickAck, ReadOnlySpan<byte> packet, bool hasAdTag)
    {
        var flags = Magic | ExtMode2 | tag switch
        {
            ProtocolTag.Abridged => AbridgedFraming,
            ProtocolTag.Intermediate => IntermediateFraming,
            _ => IntermediateFraming | Padded,
        };
        if (hasAdTag)
        {
            flags |= HasAdTag;
        }

        if (quickAck)
        {
            flags |= QuickAck;
        }

        if (packet.Length >= AuthKeyIdLength && BinaryPrimitives.ReadUInt64LittleEndian(packet) == 0)
        {
            flags |= NotEncrypted;
        }

        return flags;
    }

    /// <summary>Writes the header; the packet goes right after it. The ad tag block is written only when there is a tag.</summary>
    /// <param name="clientAddress">16 bytes: IPv6 or IPv4-mapped.</param>
    /// <param name="proxyAddress">16 bytes: the address the client connected to, after NAT.</param>
    /// <param name="adTag">16 bytes, or empty for none.</param>
    /// <returns>Header bytes written (56 or 84).</returns>
    public static int WriteHeader(
        Span<byte> destination, uint flags, long connId, ReadOnlySpan<byte> clientAddress, int clientPort,
        ReadOnlySpan<byte> proxyAddress, int proxyPort, ReadOnlySpan<byte> adTag)
    {
        var hasAdTag = !adTag.IsEmpty;
        if (hasAdTag != ((flags & HasAdTag) != 0) || (hasAdTag && adTag.Length != AdTagLength))
        {
            throw new ArgumentException("The ad tag is 16 bytes, present exactly when flag 0x8 is set.", nameof(adTag));
        }

        BinaryPrimitives.WriteUInt32LittleEndian(destination, RpcPacketType.ProxyRequest);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[FlagsOffset..], flags);
        BinaryPrimitives.WriteInt64LittleEndian(destination[ConnIdOffset..], connId);
        clientAddress[..AddressLength].CopyTo(destination[ClientAddressOffset..]);
        BinaryPrimitives.WriteInt32LittleEndian(destination[ClientPortOffset..], clientPort);
        proxyAddress[..AddressLength].CopyTo(destination[ProxyAddressOffset..]);
        BinaryPrimitives.WriteInt32LittleEndian(destination[ProxyPortOffset..], proxyPort);
        if (!hasAdTag)
        {
            return HeaderLength;
        }

        BinaryPrimitives.WriteInt32LittleEndian(destination[ExtraSizeOffset..], ExtraLength);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[ExtraOffset..], RpcPacketType.ProxyTag);

        // A TL string: length byte, the bytes, zero padding to a whole word.
        destination[TagStringOffset] = AdTagLength;
        adTag.CopyTo(destination[(TagStringOffset + 1)..]);
        destination[(TagStringOffset + 1 + AdTagLength)..HeaderLengthWithAdTag].Clear();
        return HeaderLengthWithAdTag;
    }
}
