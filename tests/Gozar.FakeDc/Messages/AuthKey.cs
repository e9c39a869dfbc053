using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;
using Gozar.FakeDc.Crypto;

namespace Gozar.FakeDc.Messages;

/// <summary>
/// A key made by the key exchange: auth_key_id = lower 64 bits of SHA-1(key), aux_hash = its upper 64 bits. The DC
/// keeps what an anonymous session needs next to it: the current server salt and the layer the client announced.
/// </summary>
public sealed class AuthKey
{
    private int _layer;

    public AuthKey(byte[] key, long serverSalt)
    {
        Key = key;
        var digest = SHA1.HashData(key);
        AuxHash = digest[..8];
        Id = BinaryPrimitives.ReadInt64LittleEndian(digest.AsSpan(12));
        ServerSalt = serverSalt;
    }

    public byte[] Key { get; }

    public long Id { get; }

    public byte[] AuxHash { get; }

    public long ServerSalt { get; }

    /// <summary>The layer of the last invokeWithLayer on this key; 0 before any.</summary>
    public int Layer
    {
        get => Volatile.Read(ref _layer);
        set => Volatile.Write(ref _layer, value);
    }

    /// <summary>
    /// The key bytes from g^(ab) mod p. The protocol says 256 big-endian bytes; Telethon and GramJS both drop leading
    /// zero bytes (about one exchange in 256 has one), so a DC that is to agree with them must do the same.
    /// </summary>
    public static byte[] FromSharedSecret(BigInteger sharedSecret, bool stripLeadingZeros) =>
        stripLeadingZeros
            ? BigEndian.ToMinimalBytes(sharedSecret)
            : BigEndian.ToPaddedBytes(sharedSecret, DhGroup.PrimeLength);
}
