namespace Gozar.Protocol.MiddleProxy;

/// <summary>The 4-byte type at the start of every RPC payload (spec §7.5), read as a little-endian uint32.</summary>
public static class RpcPacketType
{
    public const uint ProxyRequest = 0x36cef1ee;
    public const uint ProxyAnswer = 0x4403da0d;
    public const uint SimpleAck = 0x3bac409b;
    public const uint CloseExt = 0x5eb634a2;
    public const uint CloseConn = 0x1fcf425d;
    public const uint Ping = 0x5730a2df;
    public const uint Pong = 0x8430eaa7;
    public const uint Nonce = 0x7acb87aa;
    public const uint Handshake = 0x7682eef5;
    public const uint HandshakeError = 0x6a27beda;
    public const uint ProxyTag = 0xdb1e26ae;

    public const int Length = 4;

    /// <summary>The type of a payload, or 0 when it is shorter than a type.</summary>
    public static uint Of(ReadOnlySpan<byte> payload) =>
        payload.Length < Length ? 0 : System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(payload);
}
