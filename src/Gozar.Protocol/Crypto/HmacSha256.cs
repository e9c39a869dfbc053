using System.Security.Cryptography;

namespace Gozar.Protocol.Crypto;

/// <summary>
/// HMAC-SHA256 (RFC 2104) under one key of at most 64 bytes, with the key's two pad blocks hashed once up front: a
/// short message then costs two compressions instead of four. For keys used on every connection (the address salt,
/// the users' keys for fake-TLS hellos and flights).
/// </summary>
public sealed class HmacSha256
{
    private const byte InnerPad = 0x36;
    private const byte OuterPad = 0x5c;

    private readonly Sha256.State _inner;
    private readonly Sha256.State _outer;

    public HmacSha256(ReadOnlySpan<byte> key)
    {
        if (key.Length > Sha256.BlockSize)
        {
            throw new ArgumentException("Keys longer than a block are hashed first by RFC 2104; not needed here.", nameof(key));
        }

        Span<byte> pad = stackalloc byte[Sha256.BlockSize];
        _inner = PadState(key, pad, InnerPad);
        _outer = PadState(key, pad, OuterPad);
        CryptographicOperations.ZeroMemory(pad);
    }

    /// <summary>HMAC of <paramref name="message"/> into the first 32 bytes of <paramref name="destination"/>.</summary>
    public void Compute(ReadOnlySpan<byte> message, Span<byte> destination)
    {
        Span<byte> innerHash = stackalloc byte[Sha256.HashSize];
        var hash = new Sha256(_inner, Sha256.BlockSize);
        hash.Append(message);
        hash.Finish(innerHash);

        hash = new Sha256(_outer, Sha256.BlockSize);
        hash.Append(innerHash);
        hash.Finish(destination);
        CryptographicOperations.ZeroMemory(innerHash);
    }

    private static Sha256.State PadState(ReadOnlySpan<byte> key, Span<byte> pad, byte fill)
    {
        pad.Fill(fill);
        for (var i = 0; i < key.Length; i++)
        {
            pad[i] ^= key[i];
        }

        var hash = new Sha256();
        hash.Append(pad);
        return hash.Midstate;
    }
}
