using System.Buffers.Binary;

namespace Gozar.Protocol.MiddleProxy;

/// <summary>
/// The small packets of spec §7.5 after their 4-byte type, and RPC_PROXY_ANS's header:
/// <code>
/// RPC_PROXY_ANS   type | flags (4) | conn_id (8) | packet
/// RPC_SIMPLE_ACK  type | conn_id (8) | token (4)
/// RPC_CLOSE_EXT   type | conn_id (8)          RPC_CLOSE_CONN  type | conn_id (8)
/// RPC_PING        type | ping_id (8)          RPC_PONG        type | ping_id (8)
/// </code>
/// </summary>
public static class RpcControl
{
    public const int ConnIdPacketLength = 12;
    public const int SimpleAckLength = 16;
    public const int ProxyAnswerHeaderLength = 16;

    private const int IdOffset = 4;
    private const int AnswerFlagsOffset = 4;
    private const int AnswerConnIdOffset = 8;
    private const int TokenOffset = 12;

    /// <summary>RPC_CLOSE_CONN, RPC_CLOSE_EXT, RPC_PING or RPC_PONG: a type and an 8-byte id.</summary>
    /// <returns>Bytes written (12).</returns>
    public static int WriteWithId(Span<byte> destination, uint type, long id)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, type);
        BinaryPrimitives.WriteInt64LittleEndian(destination[IdOffset..], id);
        return ConnIdPacketLength;
    }

    /// <summary>The conn_id or ping_id of a packet that has one after its type; false when too short.</summary>
    public static bool TryReadId(ReadOnlySpan<byte> payload, out long id)
    {
        id = 0;
        if (payload.Length < ConnIdPacketLength)
        {
            return false;
        }

        id = BinaryPrimitives.ReadInt64LittleEndian(payload[IdOffset..]);
        return true;
    }

    public static bool TryReadSimpleAck(ReadOnlySpan<byte> payload, out long connId, out uint token)
    {
        token = 0;
        if (payload.Length < SimpleAckLength || !TryReadId(payload, out connId))
        {
            connId = 0;
            return false;
        }

        token = BinaryPrimitives.ReadUInt32LittleEndian(payload[TokenOffset..]);
        return true;
    }

    /// <summary>The header of an RPC_PROXY_ANS; the client's packet is <c>payload[16..]</c>.</summary>
    public static bool TryReadProxyAnswer(ReadOnlySpan<byte> payload, out uint flags, out long connId)
    {
        flags = 0;
        connId = 0;
        if (payload.Length < ProxyAnswerHeaderLength)
        {
            return false;
        }

        flags = BinaryPrimitives.ReadUInt32LittleEndian(payload[AnswerFlagsOffset..]);
        connId = BinaryPrimitives.ReadInt64LittleEndian(payload[AnswerConnIdOffset..]);
        return true;
    }

    /// <summary>Writes an RPC_PROXY_ANS header (the fake middle-end in tests uses it).</summary>
    public static int WriteProxyAnswerHeader(Span<byte> destination, uint flags, long connId)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, RpcPacketType.ProxyAnswer);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[AnswerFlagsOffset..], flags);
        BinaryPrimitives.WriteInt64LittleEndian(destination[AnswerConnIdOffset..], connId);
        return ProxyAnswerHeaderLength;
    }

    /// <summary>Writes an RPC_SIMPLE_ACK (the fake middle-end in tests uses it).</summary>
    public static int WriteSimpleAck(Span<byte> destination, long connId, uint token)
    {
        WriteWithId(destination, RpcPacketType.SimpleAck, connId);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[TokenOffset..], token);
        return SimpleAckLength;
    }
}
