using System.Buffers.Binary;
using Gozar.Protocol.Crypto;
using Gozar.Protocol.Obfuscation;

namespace Gozar.Load.Wire;

/// <summary>
/// Both ends of an obfuscated2 init (spec §2) with Gozar's own streams (<see cref="AesCtr"/>: managed AES-NI for the
/// small exchanges of a handshake, libcrypto once a bulk chunk comes): a Telegram app opening a tunnel with its secret,
/// and a DC accepting the proxy's init without one (§4.2).
/// </summary>
public static class ObfuscatedInit
{
    public const int Length = 64;
    public const uint TagAbridged = 0xefefefef;
    public const uint TagPaddedIntermediate = 0xdddddddd;

    private const int PrekeyOffset = 8;
    private const int PrekeyLength = 32;
    private const int IvOffset = 40;
    private const int IvLength = 16;
    private const int MaterialLength = 48;
    private const int TagOffset = 56;
    private const int DcOffset = 60;

    /// <summary>
    /// Writes a client init for <paramref name="tag"/> and <paramref name="dc"/> into <paramref name="wire"/> and returns
    /// the client's streams: encrypt (already past the init) and decrypt. An empty <paramref name="secret"/> gives the
    /// init a proxy sends a DC. Inside fake-TLS any random bytes do; outside,
    /// the random part avoids what DCs sniff (§2.2), as apps do.
    /// </summary>
    public static (AesCtr Encrypt, AesCtr Decrypt) CreateClient(
        ReadOnlySpan<byte> secret, uint tag, short dc, bool insideTls, Span<byte> wire)
    {
        Span<byte> plain = stackalloc byte[Length];
        do
        {
            // Not a CSPRNG: the load side protects nothing, and the platform's generator (OpenSSL, with a getpid system
            // call each time) ran on the load core, which fake-TLS handshake rounds keep as busy as the proxy's.
            Random.Shared.NextBytes(plain);
        }
        while (!insideTls && !Obfuscated2.IsAllowedUpstreamInit(plain));

        BinaryPrimitives.WriteUInt32LittleEndian(plain[TagOffset..], tag);
        BinaryPrimitives.WriteInt16LittleEndian(plain[DcOffset..], dc);

        var encrypt = Stream(plain.Slice(PrekeyOffset, MaterialLength), secret, reverse: false);
        var decrypt = Stream(plain.Slice(PrekeyOffset, MaterialLength), secret, reverse: true);
        Span<byte> encrypted = stackalloc byte[Length];
        encrypt.Transform(plain, encrypted);
        plain[..TagOffset].CopyTo(wire);
        encrypted[TagOffset..].CopyTo(wire[TagOffset..Length]);
        return (encrypt, decrypt);
    }

    /// <summary>
    /// Accepts the proxy's init as a DC does: no secret, streams from the init itself. Returns false when the tag is
    /// not one of the three known ones.
    /// </summary>
    public static bool TryAcceptUnkeyed(ReadOnlySpan<byte> wire, out uint tag, out short dc, out AesCtr? decrypt, out AesCtr? encrypt)
    {
        decrypt = Stream(wire.Slice(PrekeyOffset, MaterialLength), [], reverse: false);
        Span<byte> plain = stackalloc byte[Length];
        decrypt.Transform(wire[..Length], plain);
        tag = BinaryPrimitives.ReadUInt32LittleEndian(plain[TagOffset..]);
        dc = BinaryPrimitives.ReadInt16LittleEndian(plain[DcOffset..]);
        if (tag is not (TagAbridged or TagPaddedIntermediate or 0xeeeeeeee))
        {
            decrypt.Dispose();
            decrypt = null;
            encrypt = null;
            return false;
        }

        encrypt = Stream(wire.Slice(PrekeyOffset, MaterialLength), [], reverse: true);
        return true;
    }

    /// <summary>Spec §2.3: key = SHA-256(prekey || secret), or the prekey without a secret; reverse for s2c.</summary>
    private static AesCtr Stream(ReadOnlySpan<byte> material, ReadOnlySpan<byte> secret, bool reverse)
    {
        Span<byte> ordered = stackalloc byte[MaterialLength];
        material.CopyTo(ordered);
        if (reverse)
        {
            ordered.Reverse();
        }

        Span<byte> key = stackalloc byte[PrekeyLength];
        if (secret.IsEmpty)
        {
            ordered[..PrekeyLength].CopyTo(key);
        }
        else
        {
            Span<byte> input = stackalloc byte[PrekeyLength + 16];
            ordered[..PrekeyLength].CopyTo(input);
            secret.CopyTo(input[PrekeyLength..]);
            Sha256.HashData(input, key);
        }

        return new AesCtr(key, ordered.Slice(PrekeyLength, IvLength));
    }
}
