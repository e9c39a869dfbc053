using System.Buffers.Binary;

namespace Gozar.Protocol.MiddleProxy;

/// <summary>
/// RPC_NONCE, the first packet each way, unencrypted with sequence -2 (spec §7.3):
/// <code>
/// 0      4              8        12         16            32
/// | type | key selector | schema | crypto_ts | nonce (16) |
/// </code>
/// The key selector is the first 4 bytes of the proxy secret; schema 1 is AES.
/// </summary>
public static class RpcNonce
{
    public const int Length = 32;
    public const int NonceLength = 16;
    public const int KeySelectorLength = 4;
    public const uint AesSchema = 1;

    private const int KeySelectorOffset = 4;
    private const int SchemaOffset = 8;
    private const int TimeOffset = 12;
    private const int NonceOffset = 16;

    public static void Write(Span<byte> destination, ReadOnlySpan<byte> secret, uint cryptoTime, ReadOnlySpan<byte> nonce)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, RpcPacketType.Nonce);
        secret[..KeySelectorLength].CopyTo(destination[KeySelectorOffset..]);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[SchemaOffset..], AesSchema);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[TimeOffset..], cryptoTime);
        nonce[..NonceLength].CopyTo(destination[NonceOffset..]);
    }

    /// <summary>Checks the middle-end's nonce against our secret; on success returns its time and nonce.</summary>
    public static RpcNonceStatus Read(ReadOnlySpan<byte> payload, ReadOnlySpan<byte> secret, out uint cryptoTime, out ReadOnlySpan<byte> nonce)
    {
        cryptoTime = 0;
        nonce = default;
        if (payload.Length < Length || RpcPacketType.Of(payload) != RpcPacketType.Nonce)
        {
            return RpcNonceStatus.Malformed;
        }

        var selector = payload.Slice(KeySelectorOffset, KeySelectorLength);
        if (!selector.SequenceEqual(secret[..KeySelectorLength]) || BinaryPrimitives.ReadUInt32LittleEndian(selector) == 0)
        {
            return RpcNonceStatus.WrongKeySelector;
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(payload[SchemaOffset..]) != AesSchema)
        {
            return RpcNonceStatus.UnknownSchema;
        }

        cryptoTime = BinaryPrimitives.ReadUInt32LittleEndian(payload[TimeOffset..]);
        nonce = payload.Slice(NonceOffset, NonceLength);
        return RpcNonceStatus.Ok;
    }
}

public enum RpcNonceStatus
{
    Ok,
    Malformed,

    /// <summary>The key selector is not the first 4 bytes of our secret, or is zero.</summary>
    WrongKeySelector,
    UnknownSchema,
}
