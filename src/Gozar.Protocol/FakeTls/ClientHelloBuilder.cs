using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Gozar.Protocol.FakeTls;

/// <summary>
/// Builds a Chrome-like fake-TLS ClientHello the way Telegram clients do (spec §5.1, §5.2), for our test
/// client, self-test and benchmarks. Deterministic: every random choice is taken from a caller-filled
/// entropy span, so the same inputs reproduce spec §8.3 byte for byte.
/// </summary>
/// <remarks>
/// Entropy layout (<see cref="GetEntropyLength"/> bytes):
/// <code>
/// 0..32       session id
/// 32..37      GREASE seeds: cipher list, first extension, groups/key share, versions, last extension
///             (each becomes (seed &amp; 0xf0) | 0x0a, doubled)
/// 37..69      X25519 key share (should be a valid curve point; copied verbatim)
/// PostQuantum only:
/// 69..1253    ML-KEM-768 encapsulation key (coefficients reduced mod q)
/// 1253..1285  the X25519 half of the hybrid share
/// 1285        GREASE ECH config id
/// 1286        GREASE ECH payload length choice: 144, 176, 208 or 240 bytes (value mod 4)
/// 1287..1319  GREASE ECH encapsulated key
/// 1319..1559  GREASE ECH payload (only the chosen length is used)
/// </code>
/// Extensions are written in one fixed Chrome-like order (as in §8.3); real clients shuffle them.
/// PostQuantum adds, like current tdlib, the hybrid group and share, ALPS and a GREASE ECH extension.
/// </remarks>
public static class ClientHelloBuilder
{
    /// <summary>Size of a Classic hello for domains up to 224 characters (record length 512).</summary>
    public const int ClassicLength = 517;

    public const int MaxDomainLength = 253;
    public const int X25519KeyLength = 32;
    public const int MlKemEncapsulationKeyLength = 1184;

    private const int SessionIdLength = 32;
    private const int GreaseCount = 5;
    private const int GreaseEntropyOffset = SessionIdLength;
    private const int X25519EntropyOffset = GreaseEntropyOffset + GreaseCount;
    private const int MlKemEntropyOffset = X25519EntropyOffset + X25519KeyLength;
    private const int HybridX25519EntropyOffset = MlKemEntropyOffset + MlKemEncapsulationKeyLength;
    private const int EchConfigIdEntropyOffset = HybridX25519EntropyOffset + X25519KeyLength;
    private const int EchLengthChoiceEntropyOffset = EchConfigIdEntropyOffset + 1;
    private const int EchEncapsulatedKeyEntropyOffset = EchLengthChoiceEntropyOffset + 1;
    private const int EchPayloadEntropyOffset = EchEncapsulatedKeyEntropyOffset + EchEncapsulatedKeyLength;
    private const int ClassicEntropyLength = MlKemEntropyOffset;
    private const int PostQuantumEntropyLength = EchPayloadEntropyOffset + EchMaxPayloadLength;

    private const int GreaseCipher = 0;
    private const int GreaseFirstExtension = 1;
    private const int GreaseGroup = 2;
    private const int GreaseVersion = 3;
    private const int GreaseLastExtension = 4;

    private const ushort ExtensionEncryptedClientHello = 0xfe0d;
    private const int EchEncapsulatedKeyLength = 32;
    private const int EchMinPayloadLength = 144;
    private const int EchPayloadLengthStep = 32;
    private const int EchMaxPayloadLength = EchMinPayloadLength + (3 * EchPayloadLengthStep);

    // Length of a Classic hello without padding and domain. PostQuantum adds the 0x11ec group (2 bytes),
    // its key share entry (4 + 1216), ALPS (9) and the GREASE ECH extension without its payload (46).
    private const int ClassicUnpaddedLengthWithoutDomain = 289;
    private const int PostQuantumExtraLength = 2 + 4 + MlKemEncapsulationKeyLength + X25519KeyLength + 9 + 46;

    // Like tdlib/tdesktop: pad to 517 with extension 0x0015 only while the padding still fits.
    private const int PaddedLength = ClassicLength;
    private const int ExtensionHeaderLength = 4;
    private const ushort ExtensionPadding = 0x0015;

    private const int MlKemModulus = 3329;
    private const int MlKemPolynomialBytes = 1152;

    private const int DigestMatchLength = 28;

    private static ReadOnlySpan<byte> CipherSuites =>
    [
        0x13, 0x01, 0x13, 0x02, 0x13, 0x03, 0xc0, 0x2b, 0xc0, 0x2f, 0xc0, 0x2c, 0xc0, 0x30,
        0xcc, 0xa9, 0xcc, 0xa8, 0xc0, 0x13, 0xc0, 0x14, 0x00, 0x9c, 0x00, 0x9d, 0x00, 0x2f, 0x00, 0x35,
    ];

    // extended_master_secret; renegotiation_info (empty).
    private static ReadOnlySpan<byte> ExtensionsAfterServerName => [0x00, 0x17, 0x00, 0x00, 0xff, 0x01, 0x00, 0x01, 0x00];

    // ec_point_formats; session_ticket; ALPN h2, http/1.1; status_request; signature_algorithms; SCT.
    private static ReadOnlySpan<byte> ExtensionsAfterGroups =>
    [
        0x00, 0x0b, 0x00, 0x02, 0x01, 0x00,
        0x00, 0x23, 0x00, 0x00,
        0x00, 0x10, 0x00, 0x0e, 0x00, 0x0c, 0x02, 0x68, 0x32, 0x08, 0x68, 0x74, 0x74, 0x70, 0x2f, 0x31, 0x2e, 0x31,
        0x00, 0x05, 0x00, 0x05, 0x01, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x0d, 0x00, 0x12, 0x00, 0x10, 0x04, 0x03, 0x08, 0x04, 0x04, 0x01, 0x05, 0x03, 0x08, 0x05, 0x05, 0x01, 0x08, 0x06, 0x06, 0x01,
        0x00, 0x12, 0x00, 0x00,
    ];

    // psk_key_exchange_modes (psk_dhe_ke).
    private static ReadOnlySpan<byte> PskModes => [0x00, 0x2d, 0x00, 0x02, 0x01, 0x01];

    // compress_certificate (brotli).
    private static ReadOnlySpan<byte> CompressCertificate => [0x00, 0x1b, 0x00, 0x03, 0x02, 0x00, 0x02];

    // application_settings (ALPS, Chrome's current codepoint) for h2.
    private static ReadOnlySpan<byte> ApplicationSettings => [0x44, 0xcd, 0x00, 0x05, 0x00, 0x03, 0x02, 0x68, 0x32];

    // ECH outer hello, cipher suite HKDF-SHA256 / AES-128-GCM.
    private static ReadOnlySpan<byte> EchOuterSuite => [0x00, 0x00, 0x01, 0x00, 0x01];

    private static ReadOnlySpan<ushort> ClassicGroups => [TlsWire.GroupX25519, 0x0017, 0x0018];

    public static int GetEntropyLength(ClientHelloShape shape) =>
        shape == ClientHelloShape.PostQuantum ? PostQuantumEntropyLength : ClassicEntropyLength;

    /// <summary>The exact length <see cref="Build"/> will produce for these inputs.</summary>
    public static int GetLength(ClientHelloShape shape, int domainLength, ReadOnlySpan<byte> entropy)
    {
        CheckEntropy(shape, entropy);
        var unpadded = ClassicUnpaddedLengthWithoutDomain + domainLength;
        if (shape == ClientHelloShape.PostQuantum)
        {
            unpadded += PostQuantumExtraLength + EchPayloadLength(entropy);
        }

        return unpadded + ExtensionHeaderLength <= PaddedLength ? PaddedLength : unpadded;
    }

    /// <summary>An upper bound of <see cref="GetLength"/> over all entropy, for sizing buffers.</summary>
    public static int GetMaxLength(ClientHelloShape shape, int domainLength)
    {
        var unpadded = ClassicUnpaddedLengthWithoutDomain + domainLength;
        if (shape == ClientHelloShape.PostQuantum)
        {
            unpadded += PostQuantumExtraLength + EchMaxPayloadLength;
        }

        return Math.Max(unpadded, PaddedLength);
    }

    /// <summary>
    /// Writes the hello into <paramref name="destination"/> and returns its length. The random field is
    /// HMAC-SHA256(key, hello with zero random) with the last 4 bytes XORed with the uint32 LE time (§5.2).
    /// </summary>
    /// <param name="domain">The SNI host name, ASCII, 1..253 characters.</param>
    /// <param name="entropy">At least <see cref="GetEntropyLength"/> caller-generated random bytes.</param>
    public static int Build(
        ReadOnlySpan<byte> key,
        ReadOnlySpan<char> domain,
        long unixTimeSeconds,
        ReadOnlySpan<byte> entropy,
        ClientHelloShape shape,
        Span<byte> destination)
    {
        if (domain.IsEmpty || domain.Length > MaxDomainLength || !Ascii.IsValid(domain))
        {
            throw new ArgumentException("The domain must be 1..253 ASCII characters.", nameof(domain));
        }

        var length = GetLength(shape, domain.Length, entropy);
        if (destination.Length < length)
        {
            throw new ArgumentException("The destination is too small for the hello.", nameof(destination));
        }

        Span<byte> grease = stackalloc byte[GreaseCount];
        DeriveGrease(entropy.Slice(GreaseEntropyOffset, GreaseCount), grease);

        var writer = new WireWriter(destination);
        writer.WriteByte(TlsWire.Handshake);
        writer.WriteUInt16(TlsWire.Version10);
        var recordLength = writer.BeginVector16();
        writer.WriteByte(TlsWire.HandshakeClientHello);
        var messageLength = writer.BeginVector24();
        writer.WriteUInt16(TlsWire.Version12);
        writer.WriteZeros(TlsWire.RandomLength);
        writer.WriteByte(SessionIdLength);
        writer.WriteBytes(entropy[..SessionIdLength]);

        var suites = writer.BeginVector16();
        WriteGrease(ref writer, grease[GreaseCipher]);
        writer.WriteBytes(CipherSuites);
        writer.EndVector16(suites);
        writer.WriteByte(1);
        writer.WriteByte(0);

        var extensions = writer.BeginVector16();
        WriteGrease(ref writer, grease[GreaseFirstExtension]);
        writer.WriteUInt16(0);
        WriteServerName(ref writer, domain);
        writer.WriteBytes(ExtensionsAfterServerName);
        WriteSupportedGroups(ref writer, grease[GreaseGroup], shape);
        writer.WriteBytes(ExtensionsAfterGroups);
        WriteKeyShare(ref writer, grease[GreaseGroup], entropy, shape);
        writer.WriteBytes(PskModes);
        WriteSupportedVersions(ref writer, grease[GreaseVersion]);
        writer.WriteBytes(CompressCertificate);
        if (shape == ClientHelloShape.PostQuantum)
        {
            writer.WriteBytes(ApplicationSettings);
            WriteGreaseEch(ref writer, entropy);
        }

        WriteGrease(ref writer, grease[GreaseLastExtension]);
        writer.WriteUInt16(1);
        writer.WriteByte(0);

        if (writer.Position + ExtensionHeaderLength <= PaddedLength)
        {
            writer.WriteUInt16(ExtensionPadding);
            var padding = writer.BeginVector16();
            writer.WriteZeros(PaddedLength - writer.Position);
            writer.EndVector16(padding);
        }

        writer.EndVector16(extensions);
        writer.EndVector24(messageLength);
        writer.EndVector16(recordLength);

        var hello = destination[..writer.Position];
        WriteAuthenticator(key, (uint)unixTimeSeconds, hello);
        return hello.Length;
    }

    private static void CheckEntropy(ClientHelloShape shape, ReadOnlySpan<byte> entropy)
    {
        if (entropy.Length < GetEntropyLength(shape))
        {
            throw new ArgumentException("Not enough entropy bytes for this shape.", nameof(entropy));
        }
    }

    /// <summary>GREASE values (RFC 8701) like tdlib: 0x?a?a, adjacent slots kept distinct.</summary>
    private static void DeriveGrease(ReadOnlySpan<byte> seeds, Span<byte> grease)
    {
        for (var i = 0; i < grease.Length; i++)
        {
            grease[i] = (byte)((seeds[i] & 0xf0) | 0x0a);
            if (i > 0 && grease[i] == grease[i - 1])
            {
                grease[i] ^= 0x10;
            }
        }
    }

    private static void WriteGrease(ref WireWriter writer, byte grease)
    {
        writer.WriteByte(grease);
        writer.WriteByte(grease);
    }

    private static void WriteServerName(ref WireWriter writer, ReadOnlySpan<char> domain)
    {
        writer.WriteUInt16(TlsWire.ExtensionServerName);
        var data = writer.BeginVector16();
        var list = writer.BeginVector16();
        writer.WriteByte(0);
        writer.WriteUInt16((ushort)domain.Length);
        Ascii.FromUtf16(domain, writer.Advance(domain.Length), out _);
        writer.EndVector16(list);
        writer.EndVector16(data);
    }

    private static void WriteSupportedGroups(ref WireWriter writer, byte grease, ClientHelloShape shape)
    {
        writer.WriteUInt16(0x000a);
        var data = writer.BeginVector16();
        var list = writer.BeginVector16();
        WriteGrease(ref writer, grease);
        if (shape == ClientHelloShape.PostQuantum)
        {
            writer.WriteUInt16(TlsWire.GroupX25519MlKem768);
        }

        foreach (var group in ClassicGroups)
        {
            writer.WriteUInt16(group);
        }

        writer.EndVector16(list);
        writer.EndVector16(data);
    }

    // Shares: GREASE (one zero byte), then X25519MLKEM768 (PostQuantum only), then X25519.
    private static void WriteKeyShare(ref WireWriter writer, byte grease, ReadOnlySpan<byte> entropy, ClientHelloShape shape)
    {
        writer.WriteUInt16(TlsWire.ExtensionKeyShare);
        var data = writer.BeginVector16();
        var list = writer.BeginVector16();
        WriteGrease(ref writer, grease);
        writer.WriteUInt16(1);
        writer.WriteByte(0);
        if (shape == ClientHelloShape.PostQuantum)
        {
            writer.WriteUInt16(TlsWire.GroupX25519MlKem768);
            var share = writer.BeginVector16();
            var encapsulationKey = writer.Advance(MlKemEncapsulationKeyLength);
            entropy.Slice(MlKemEntropyOffset, MlKemEncapsulationKeyLength).CopyTo(encapsulationKey);
            ReduceMlKemCoefficients(encapsulationKey[..MlKemPolynomialBytes]);
            writer.WriteBytes(entropy.Slice(HybridX25519EntropyOffset, X25519KeyLength));
            writer.EndVector16(share);
        }

        writer.WriteUInt16(TlsWire.GroupX25519);
        writer.WriteUInt16(X25519KeyLength);
        writer.WriteBytes(entropy.Slice(X25519EntropyOffset, X25519KeyLength));
        writer.EndVector16(list);
        writer.EndVector16(data);
    }

    /// <summary>
    /// An ML-KEM-768 encapsulation key packs 768 12-bit coefficients that are all below q = 3329
    /// (FIPS 203 modulus check); reducing random ones keeps the share parseable by a strict observer.
    /// </summary>
    private static void ReduceMlKemCoefficients(Span<byte> packed)
    {
        for (var i = 0; i + 3 <= packed.Length; i += 3)
        {
            var low = (packed[i] | ((packed[i + 1] & 0x0f) << 8)) % MlKemModulus;
            var high = ((packed[i + 1] >> 4) | (packed[i + 2] << 4)) % MlKemModulus;
            packed[i] = (byte)low;
            packed[i + 1] = (byte)((low >> 8) | ((high & 0x0f) << 4));
            packed[i + 2] = (byte)(high >> 4);
        }
    }

    private static int EchPayloadLength(ReadOnlySpan<byte> entropy) =>
        EchMinPayloadLength + ((entropy[EchLengthChoiceEntropyOffset] & 3) * EchPayloadLengthStep);

    // A GREASE ECH extension as Chrome sends without an ECH config: random config id, key and payload.
    private static void WriteGreaseEch(ref WireWriter writer, ReadOnlySpan<byte> entropy)
    {
        writer.WriteUInt16(ExtensionEncryptedClientHello);
        var data = writer.BeginVector16();
        writer.WriteBytes(EchOuterSuite);
        writer.WriteByte(entropy[EchConfigIdEntropyOffset]);
        writer.WriteUInt16(EchEncapsulatedKeyLength);
        writer.WriteBytes(entropy.Slice(EchEncapsulatedKeyEntropyOffset, EchEncapsulatedKeyLength));
        var payloadLength = EchPayloadLength(entropy);
        writer.WriteUInt16((ushort)payloadLength);
        writer.WriteBytes(entropy.Slice(EchPayloadEntropyOffset, payloadLength));
        writer.EndVector16(data);
    }

    private static void WriteSupportedVersions(ref WireWriter writer, byte grease)
    {
        writer.WriteUInt16(TlsWire.ExtensionSupportedVersions);
        var data = writer.BeginVector16();
        writer.WriteByte(6);
        WriteGrease(ref writer, grease);
        writer.WriteUInt16(TlsWire.Version13);
        writer.WriteUInt16(TlsWire.Version12);
        writer.EndVector16(data);
    }

    private static void WriteAuthenticator(ReadOnlySpan<byte> key, uint unixTime, Span<byte> hello)
    {
        Span<byte> digest = stackalloc byte[FakeTlsHmac.DigestLength];
        FakeTlsHmac.Compute(key, hello, digest);
        var time = digest[DigestMatchLength..];
        BinaryPrimitives.WriteUInt32LittleEndian(time, BinaryPrimitives.ReadUInt32LittleEndian(time) ^ unixTime);
        digest.CopyTo(hello[TlsWire.RandomOffset..]);
    }
}
