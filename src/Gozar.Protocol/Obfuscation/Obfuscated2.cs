using System.Buffers.Binary;
using System.Security.Cryptography;
using Gozar.Protocol.Crypto;
using Gozar.Protocol.Framing;

namespace Gozar.Protocol.Obfuscation;

/// <summary>
/// The 64-byte obfuscated2 init (spec §2): validating a client's, and building the proxy's own towards a DC (§4.2).
/// </summary>
/// <remarks>
/// <code>
/// spec §2.1, plaintext init:
///  0        8                                40               56      60   62   64
///  | random | pre-key c2s (32)               | IV c2s (16)    | tag   | dc | rnd |
///           |&lt;-------- key material (48) ----------------&gt;|
/// on the wire bytes 0..56 are plain, 56..64 are encrypted with the c2s stream
/// s2c key/IV = reverse(key material): pre-key s2c = rev[0..32], IV s2c = rev[32..48]
/// </code>
/// </remarks>
public static class Obfuscated2
{
    public const int InitLength = 64;
    public const int KeyMaterialLength = KeyMaterialEnd - KeyMaterialOffset;

    private const int KeyMaterialOffset = 8;
    private const int PrekeyLength = 32;
    private const int IvOffset = 40;
    private const int KeyMaterialEnd = 56;
    private const int TagOffset = 56;
    private const int DcOffset = 60;
    private const int SecretLength = 16;

    // The AES block that holds the tag and the DC id (bytes 48..64).
    private const int TagBlockLength = 16;

    /// <summary>
    /// Tries every key against a client's init (§2.4). On success the decryptor is positioned at offset 64 and the
    /// encryptor at 0. Returns false when no key yields a known protocol tag, or when fewer than 64 bytes are given.
    /// </summary>
    /// <param name="withEncryptor">
    /// False: no stream towards the client (<see cref="ClientInit.Encryptor"/> is null), for fast mode (§4.3), where the
    /// DC's stream reaches the client as it is.
    /// </param>
    public static bool TryAcceptClient(ReadOnlySpan<byte> wireInit, ReadOnlySpan<byte[]> keys, out ClientInit result, bool withEncryptor = true)
    {
        for (var i = 0; i < keys.Length; i++)
        {
            if (TryAccept(wireInit, keys[i], i, withEncryptor, out result))
            {
                return true;
            }
        }

        result = default;
        return false;
    }

    /// <summary>
    /// Accepts an init sent without a secret, as a DC sees the proxy's (§4.2); KeyIndex is -1. Used by fake DCs in
    /// tests and benchmarks.
    /// </summary>
    public static bool TryAcceptUnkeyed(ReadOnlySpan<byte> wireInit, out ClientInit result) =>
        TryAccept(wireInit, ReadOnlySpan<byte>.Empty, -1, withEncryptor: true, out result);

    private static bool TryAccept(ReadOnlySpan<byte> wireInit, ReadOnlySpan<byte> secret, int keyIndex, bool withEncryptor, out ClientInit result)
    {
        if (wireInit.Length < InitLength)
        {
            result = default;
            return false;
        }

        // Most keys tried are wrong (one per user): the tag and DC id come from the one keystream block that covers
        // them, and a cipher object is made only for the key that matches.
        Span<byte> key = stackalloc byte[AesCtr.KeySize];
        Span<byte> keystream = stackalloc byte[TagBlockLength];
        DeriveKey(wireInit.Slice(KeyMaterialOffset, PrekeyLength), secret, key);
        var iv = wireInit.Slice(IvOffset, AesCtr.IvSize);
        AesCtr.WriteKeystreamBlock(key, iv, TagOffset / TagBlockLength, keystream);
        var tag = BinaryPrimitives.ReadUInt32LittleEndian(wireInit[TagOffset..])
            ^ BinaryPrimitives.ReadUInt32LittleEndian(keystream[(TagOffset % TagBlockLength)..]);
        var dc = (short)(BinaryPrimitives.ReadInt16LittleEndian(wireInit[DcOffset..])
            ^ BinaryPrimitives.ReadInt16LittleEndian(keystream[(DcOffset % TagBlockLength)..]));
        CryptographicOperations.ZeroMemory(keystream);
        if (!IsKnownTag(tag))
        {
            CryptographicOperations.ZeroMemory(key);
            result = default;
            return false;
        }

        var decryptor = new AesCtr(key, iv);
        CryptographicOperations.ZeroMemory(key);
        Span<byte> decrypted = stackalloc byte[InitLength];
        decryptor.Transform(wireInit[..InitLength], decrypted);
        CryptographicOperations.ZeroMemory(decrypted);
        result = new ClientInit(keyIndex, (ProtocolTag)tag, dc, decryptor, withEncryptor ? CreateReverse(wireInit, secret) : null);
        return true;
    }

    /// <summary>
    /// Writes the s2c key and IV of a client's init (32 + 16 bytes), what fast mode (§4.3) puts, reversed, into the
    /// DC init so that the DC's stream equals the client's.
    /// </summary>
    public static void WriteClientServerKeyMaterial(ReadOnlySpan<byte> wireInit, ReadOnlySpan<byte> secret, Span<byte> destination)
    {
        Span<byte> reversed = stackalloc byte[KeyMaterialLength];
        wireInit[KeyMaterialOffset..KeyMaterialEnd].CopyTo(reversed);
        reversed.Reverse();
        DeriveKey(reversed[..PrekeyLength], secret, destination[..PrekeyLength]);
        reversed[PrekeyLength..].CopyTo(destination[PrekeyLength..KeyMaterialLength]);
        CryptographicOperations.ZeroMemory(reversed);
    }

    /// <summary>
    /// Spec §2.2: whether 64 random bytes may open a connection to a DC. The caller draws fresh bytes 0..8 until true.
    /// </summary>
    public static bool IsAllowedUpstreamInit(ReadOnlySpan<byte> init)
    {
        if (init[0] == 0xef)
        {
            return false;
        }

        var first = BinaryPrimitives.ReadUInt32LittleEndian(init);
        if (first is 0x44414548 or 0x54534f50 or 0x20544547 or 0x4954504f or 0xeeeeeeee or 0xdddddddd or 0x02010316)
        {
            return false;
        }

        return BinaryPrimitives.ReadUInt32LittleEndian(init[4..]) != 0;
    }

    /// <summary>
    /// Builds the proxy's init towards a DC (§4.2) from 64 bytes of randomness that pass
    /// <see cref="IsAllowedUpstreamInit"/>. For fast mode, the caller first writes reverse(s2c key || IV) into bytes 8..56.
    /// </summary>
    /// <param name="withDecryptor">False: no stream for what the DC sends (<see cref="UpstreamInit.Decryptor"/> is null), for fast mode.</param>
    public static UpstreamInit CreateUpstreamInit(ReadOnlySpan<byte> random, ProtocolTag tag, short dcId, Span<byte> wireInit, bool withDecryptor = true)
    {
        if (!IsAllowedUpstreamInit(random))
        {
            throw new ArgumentException("The random init has a forbidden prefix (spec §2.2).", nameof(random));
        }

        return CreateInit(random, ReadOnlySpan<byte>.Empty, tag, dcId, wireInit, withDecryptor);
    }

    /// <summary>
    /// Builds an init as a client does (§2.1, §2.3): with a 16-byte secret as a Telegram app towards a proxy, without
    /// one towards a DC. The encryptor continues at offset 64; the decryptor reads what the other side sends.
    /// </summary>
    public static ClientStreams CreateInit(ReadOnlySpan<byte> random, ReadOnlySpan<byte> secret, ProtocolTag tag, short dcId, Span<byte> wireInit)
    {
        var init = CreateInit(random, secret, tag, dcId, wireInit, withDecryptor: true);
        return new ClientStreams(init.Encryptor, init.Decryptor!);
    }

    private static UpstreamInit CreateInit(
        ReadOnlySpan<byte> random, ReadOnlySpan<byte> secret, ProtocolTag tag, short dcId, Span<byte> wireInit, bool withDecryptor)
    {
        Span<byte> plain = stackalloc byte[InitLength];
        random[..InitLength].CopyTo(plain);
        BinaryPrimitives.WriteUInt32LittleEndian(plain[TagOffset..], (uint)tag);
        BinaryPrimitives.WriteInt16LittleEndian(plain[DcOffset..], dcId);

        Span<byte> key = stackalloc byte[AesCtr.KeySize];
        DeriveKey(plain.Slice(KeyMaterialOffset, PrekeyLength), secret, key);
        var encryptor = new AesCtr(key, plain.Slice(IvOffset, AesCtr.IvSize));
        CryptographicOperations.ZeroMemory(key);
        var decryptor = withDecryptor ? CreateReverse(plain, secret) : null;

        Span<byte> encrypted = stackalloc byte[InitLength];
        encryptor.Transform(plain, encrypted);
        plain[..TagOffset].CopyTo(wireInit);
        encrypted[TagOffset..].CopyTo(wireInit[TagOffset..InitLength]);
        CryptographicOperations.ZeroMemory(plain);
        return new UpstreamInit(encryptor, decryptor);
    }

    /// <summary>Writes reverse(keyMaterial) into bytes 8..56 of a random init, as fast mode needs (§4.3).</summary>
    public static void ApplyFastMode(Span<byte> random, ReadOnlySpan<byte> clientServerKeyMaterial)
    {
        var target = random[KeyMaterialOffset..KeyMaterialEnd];
        clientServerKeyMaterial[..KeyMaterialLength].CopyTo(target);
        target.Reverse();
    }

    private static bool IsKnownTag(uint tag) =>
        tag is (uint)ProtocolTag.Abridged or (uint)ProtocolTag.Intermediate or (uint)ProtocolTag.PaddedIntermediate;

    private static AesCtr CreateReverse(ReadOnlySpan<byte> init, ReadOnlySpan<byte> secret)
    {
        Span<byte> reversed = stackalloc byte[KeyMaterialLength];
        init[KeyMaterialOffset..KeyMaterialEnd].CopyTo(reversed);
        reversed.Reverse();
        Span<byte> key = stackalloc byte[AesCtr.KeySize];
        DeriveKey(reversed[..PrekeyLength], secret, key);

        var cipher = new AesCtr(key, reversed[PrekeyLength..]);
        CryptographicOperations.ZeroMemory(key);
        CryptographicOperations.ZeroMemory(reversed);
        return cipher;
    }

    /// <summary>key = SHA-256(prekey || secret) with a secret, the prekey itself without (§2.3).</summary>
    private static void DeriveKey(ReadOnlySpan<byte> prekey, ReadOnlySpan<byte> secret, Span<byte> key)
    {
        if (secret.IsEmpty)
        {
            prekey.CopyTo(key);
            return;
        }

        if (secret.Length != SecretLength)
        {
            throw new ArgumentException("A proxy secret key is 16 bytes.", nameof(secret));
        }

        Span<byte> input = stackalloc byte[PrekeyLength + SecretLength];
        prekey.CopyTo(input);
        secret.CopyTo(input[PrekeyLength..]);
        Sha256.HashData(input, key);
        CryptographicOperations.ZeroMemory(input);
    }
}

/// <summary>
/// A client's validated init: which key matched, its framing, DC index and the two cipher streams (the encryptor only
/// when asked for, see <see cref="Obfuscated2.TryAcceptClient"/>).
/// </summary>
public readonly record struct ClientInit(int KeyIndex, ProtocolTag Tag, short DcId, AesCtr Decryptor, AesCtr? Encryptor);

/// <summary>
/// The proxy's streams towards a DC: encrypts what it sends (at offset 64), decrypts what it receives (only when asked
/// for, see <see cref="Obfuscated2.CreateUpstreamInit"/>).
/// </summary>
public readonly record struct UpstreamInit(AesCtr Encryptor, AesCtr? Decryptor);

/// <summary>A client's streams after <see cref="Obfuscated2.CreateInit"/>: encrypts what it sends (at offset 64), decrypts what it receives.</summary>
public readonly record struct ClientStreams(AesCtr Encryptor, AesCtr Decryptor);
