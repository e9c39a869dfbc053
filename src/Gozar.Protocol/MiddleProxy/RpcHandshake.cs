using System.Buffers.Binary;

namespace Gozar.Protocol.MiddleProxy;

/// <summary>
/// RPC_HANDSHAKE, encrypted with sequence -1 (spec §7.3), and the RPC_HANDSHAKE_ERROR a middle-end may send instead:
/// <code>
/// handshake  0 type | 4 flags | 8 sender pid (12) | 20 peer pid (12) | 32
/// error      0 type | 4 error code (int32) | 8 sender pid (12) | 20
/// </code>
/// </summary>
public static class RpcHandshake
{
    public const int Length = 32;

    /// <summary>Flag 0x800: CRC32C offered (from us) or granted (from the middle-end), spec §7.2.</summary>
    public const uint Crc32CFlag = 0x800;

    /// <summary>Bits a middle-end's answer must not carry.</summary>
    public const uint ForbiddenFlags = 0xff;

    private const int FlagsOffset = 4;
    private const int SenderOffset = 8;
    private const int PeerOffset = 20;
    private const int ErrorCodeOffset = 4;
    private const int ErrorLength = 20;

    public static void Write(Span<byte> destination, uint flags, RpcProcessId sender, RpcProcessId peer)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, RpcPacketType.Handshake);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[FlagsOffset..], flags);
        sender.Write(destination[SenderOffset..]);
        peer.Write(destination[PeerOffset..]);
    }

    /// <summary>Reads the middle-end's answer to our handshake; <paramref name="errorCode"/> is set for HandshakeError.</summary>
    public static RpcHandshakeStatus Read(
        ReadOnlySpan<byte> payload, out uint flags, out RpcProcessId sender, out RpcProcessId peer, out int errorCode)
    {
        flags = 0;
        sender = default;
        peer = default;
        errorCode = 0;
        var type = RpcPacketType.Of(payload);
        if (type == RpcPacketType.HandshakeError && payload.Length >= ErrorLength)
        {
            errorCode = BinaryPrimitives.ReadInt32LittleEndian(payload[ErrorCodeOffset..]);
            sender = RpcProcessId.Read(payload[SenderOffset..]);
            return RpcHandshakeStatus.Refused;
        }

        if (type != RpcPacketType.Handshake || payload.Length < Length)
        {
            return RpcHandshakeStatus.Malformed;
        }

        flags = BinaryPrimitives.ReadUInt32LittleEndian(payload[FlagsOffset..]);
        sender = RpcProcessId.Read(payload[SenderOffset..]);
        peer = RpcProcessId.Read(payload[PeerOffset..]);
        return (flags & ForbiddenFlags) != 0 ? RpcHandshakeStatus.BadFlags : RpcHandshakeStatus.Ok;
    }
}

public enum RpcHandshakeStatus
{
    Ok,
    Malformed,

    /// <summary>The middle-end sent RPC_HANDSHAKE_ERROR.</summary>
    Refused,

    /// <summary>A flag in 0xff was set.</summary>
    BadFlags,
}
