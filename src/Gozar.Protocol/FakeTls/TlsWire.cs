using System.Buffers.Binary;

namespace Gozar.Protocol.FakeTls;

/// <summary>
/// TLS record-layer constants shared by the fake-TLS types (spec §5.1, §5.6, §5.7).
/// </summary>
/// <remarks>
/// Every record starts with a 5-byte header:
/// <code>
/// 0      content type (0x14 CCS, 0x15 alert, 0x16 handshake, 0x17 application data)
/// 1..3   version (03 01 on the ClientHello, 03 03 on everything else)
/// 3..5   payload length, BE
/// </code>
/// </remarks>
internal static class TlsWire
{
    public const int HeaderLength = 5;
    public const int TypeOffset = 0;
    public const int VersionOffset = 1;
    public const int LengthOffset = 3;

    public const byte ChangeCipherSpec = 0x14;
    public const byte Alert = 0x15;
    public const byte Handshake = 0x16;
    public const byte ApplicationData = 0x17;

    public const byte HandshakeClientHello = 0x01;
    public const byte HandshakeServerHello = 0x02;

    public const ushort Version10 = 0x0301;
    public const ushort Version12 = 0x0303;
    public const ushort Version13 = 0x0304;

    /// <summary>TLSPlaintext limit (2^14); also what tdlib accepts per record.</summary>
    public const int MaxPlaintextLength = 16384;

    /// <summary>TLSCiphertext limit (2^14 + 256).</summary>
    public const int MaxCiphertextLength = MaxPlaintextLength + 256;

    public const int RandomLength = 32;
    public const int MaxSessionIdLength = 32;

    /// <summary>Where the 32-byte random sits in both ClientHello and ServerHello records.</summary>
    public const int RandomOffset = 11;

    public const ushort ExtensionServerName = 0x0000;
    public const ushort ExtensionKeyShare = 0x0033;
    public const ushort ExtensionSupportedVersions = 0x002b;

    public const ushort GroupX25519 = 0x001d;
    public const ushort GroupX25519MlKem768 = 0x11ec;

    public const ushort CipherAes128GcmSha256 = 0x1301;
    public const ushort CipherChaCha20Poly1305Sha256 = 0x1303;

    public static bool IsTls13CipherSuite(ushort suite) =>
        suite >= CipherAes128GcmSha256 && suite <= CipherChaCha20Poly1305Sha256;

    public static void WriteHeader(Span<byte> destination, byte type, ushort version, int payloadLength)
    {
        destination[TypeOffset] = type;
        BinaryPrimitives.WriteUInt16BigEndian(destination[VersionOffset..], version);
        BinaryPrimitives.WriteUInt16BigEndian(destination[LengthOffset..], checked((ushort)payloadLength));
    }
}
