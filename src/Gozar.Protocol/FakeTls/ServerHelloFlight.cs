using System.Security.Cryptography;

namespace Gozar.Protocol.FakeTls;

/// <summary>
/// Builds the proxy's answer to an authenticated ClientHello (spec §5.6, vector §8.4): a ServerHello
/// record, a ChangeCipherSpec record and one ApplicationData record, authenticated by the server random.
/// </summary>
/// <remarks>
/// Flight layout with session id length S:
/// <code>
/// 0        16 03 03, length 90+S
/// 5        02, length 86+S (24-bit)
/// 9..11    03 03
/// 11..43   server random = HMAC-SHA256(K, client_random || flight with these 32 bytes zeroed)
/// 43       S, then the echoed session id
/// 44+S     cipher suite, 00 compression, 00 2e extensions length
/// 49+S     key_share 00 33 00 24 00 1d 00 20 + 32-byte x25519 key (40 bytes)
///          supported_versions 00 2b 00 02 03 04 (6 bytes; order per ServerHelloExtensionOrder)
/// 95+S     14 03 03 00 01 01
/// 101+S    17 03 03, length N, N payload bytes
/// </code>
/// With an X25519MLKEM768 share (group 11 ec) the key_share carries 1120 bytes instead of 32
/// (ML-KEM-768 ciphertext, then the x25519 key), so everything from 95+S moves by 1088.
/// </remarks>
public static class ServerHelloFlight
{
    public const int X25519KeyLength = 32;

    /// <summary>Named group x25519 (RFC 8446 §4.2.7).</summary>
    public const ushort X25519Group = TlsWire.GroupX25519;

    /// <summary>Named group X25519MLKEM768, the hybrid current tdlib offers (spec §5.1).</summary>
    public const ushort X25519MlKem768Group = TlsWire.GroupX25519MlKem768;

    /// <summary>ApplicationData payload limit: the TLS ciphertext maximum (2^14 + 256).</summary>
    public const int MaxApplicationDataLength = TlsWire.MaxCiphertextLength;

    /// <summary>Server share of X25519MLKEM768: ML-KEM-768 ciphertext (1088) then the x25519 key (32).</summary>
    public const int X25519MlKem768ShareLength = 1088 + X25519KeyLength;

    /// <summary>The ServerHello record with an x25519 share and no session id.</summary>
    private const int ServerHelloFixedLength = 95;
    private const int ExtensionsLengthWithoutKey = 14;
    private const int KeyShareHeaderLength = 4;
    private const int SupportedVersionsDataLength = 2;
    private const int ChangeCipherSpecLength = 6;

    /// <summary>Length of the flight for a 32-byte session id (what Telegram clients send).</summary>
    public static int GetLength(int applicationDataLength) =>
        GetLength(applicationDataLength, TlsWire.MaxSessionIdLength);

    public static int GetLength(int applicationDataLength, int sessionIdLength) =>
        GetLength(applicationDataLength, sessionIdLength, TlsWire.GroupX25519);

    /// <summary>Length of the flight whose key_share is for <paramref name="keyShareGroup"/>.</summary>
    public static int GetLength(int applicationDataLength, int sessionIdLength, ushort keyShareGroup) =>
        ServerHelloFixedLength + sessionIdLength + (GetKeyShareLength(keyShareGroup) - X25519KeyLength)
        + ChangeCipherSpecLength + TlsWire.HeaderLength + applicationDataLength;

    /// <summary>Bytes of the server's key_exchange for a group we imitate: x25519 or X25519MLKEM768.</summary>
    public static int GetKeyShareLength(ushort keyShareGroup) => keyShareGroup switch
    {
        TlsWire.GroupX25519 => X25519KeyLength,
        TlsWire.GroupX25519MlKem768 => X25519MlKem768ShareLength,
        _ => throw new ArgumentOutOfRangeException(nameof(keyShareGroup), keyShareGroup, "Only x25519 and X25519MLKEM768 shares are built."),
    };

    /// <summary>Builds the flight with key_share before supported_versions. Returns the bytes written.</summary>
    public static int Build(
        ReadOnlySpan<byte> key,
        ReadOnlySpan<byte> clientRandom,
        ReadOnlySpan<byte> sessionId,
        ushort cipherSuite,
        ReadOnlySpan<byte> x25519PublicKey,
        ReadOnlySpan<byte> applicationDataPayload,
        Span<byte> destination) =>
        Build(key, clientRandom, sessionId, cipherSuite, x25519PublicKey, applicationDataPayload,
            ServerHelloExtensionOrder.KeyShareFirst, destination);

    /// <summary>
    /// Builds the flight into <paramref name="destination"/> (at least <see cref="GetLength(int, int)"/>
    /// bytes) and returns the bytes written.
    /// </summary>
    /// <param name="clientRandom">The 32-byte ClientHello random as received.</param>
    /// <param name="sessionId">The ClientHello session id, echoed (at most 32 bytes).</param>
    /// <param name="x25519PublicKey">A valid 32-byte X25519 public key (spec §5.6 recommendation).</param>
    /// <param name="applicationDataPayload">
    /// The fake encrypted handshake bytes (random, sized like the mask site's). It may already sit at its
    /// final place, the last N bytes of the flight in <paramref name="destination"/>, to save a copy.
    /// </param>
    public static int Build(
        ReadOnlySpan<byte> key,
        ReadOnlySpan<byte> clientRandom,
        ReadOnlySpan<byte> sessionId,
        ushort cipherSuite,
        ReadOnlySpan<byte> x25519PublicKey,
        ReadOnlySpan<byte> applicationDataPayload,
        ServerHelloExtensionOrder extensionOrder,
        Span<byte> destination)
    {
        if (x25519PublicKey.Length != X25519KeyLength)
        {
            throw new ArgumentException("An X25519 public key is 32 bytes.", nameof(x25519PublicKey));
        }

        return Build(
            key, clientRandom, sessionId, cipherSuite, extensionOrder, TlsWire.GroupX25519, x25519PublicKey,
            applicationDataPayload, destination);
    }

    /// <summary>
    /// Builds the flight with a key_share for <paramref name="keyShareGroup"/> into <paramref name="destination"/>
    /// (at least <see cref="GetLength(int, int, ushort)"/> bytes) and returns the bytes written.
    /// </summary>
    /// <param name="keyShare">
    /// The server's key_exchange, <see cref="GetKeyShareLength"/> bytes: a valid x25519 public key, for
    /// X25519MLKEM768 preceded by 1088 bytes standing for the ML-KEM ciphertext (clients never parse it).
    /// </param>
    public static int Build(
        ReadOnlySpan<byte> key,
        ReadOnlySpan<byte> clientRandom,
        ReadOnlySpan<byte> sessionId,
        ushort cipherSuite,
        ServerHelloExtensionOrder extensionOrder,
        ushort keyShareGroup,
        ReadOnlySpan<byte> keyShare,
        ReadOnlySpan<byte> applicationDataPayload,
        Span<byte> destination)
    {
        if (clientRandom.Length != TlsWire.RandomLength)
        {
            throw new ArgumentException("The client random is 32 bytes.", nameof(clientRandom));
        }

        if (sessionId.Length > TlsWire.MaxSessionIdLength)
        {
            throw new ArgumentException("A session id is at most 32 bytes.", nameof(sessionId));
        }

        if (keyShare.Length != GetKeyShareLength(keyShareGroup))
        {
            throw new ArgumentException("The key share does not have the group's length.", nameof(keyShare));
        }

        if (applicationDataPayload.Length > MaxApplicationDataLength)
        {
            throw new ArgumentException("The ApplicationData payload exceeds a TLS record.", nameof(applicationDataPayload));
        }

        var length = GetLength(applicationDataPayload.Length, sessionId.Length, keyShareGroup);
        if (destination.Length < length)
        {
            throw new ArgumentException("The destination is too small for the flight.", nameof(destination));
        }

        var writer = new WireWriter(destination);
        WriteServerHello(ref writer, sessionId, cipherSuite, extensionOrder, keyShareGroup, keyShare);
        WriteChangeCipherSpec(ref writer);
        writer.WriteByte(TlsWire.ApplicationData);
        writer.WriteUInt16(TlsWire.Version12);
        writer.WriteUInt16((ushort)applicationDataPayload.Length);
        writer.WriteBytes(applicationDataPayload);

        var flight = destination[..length];
        var random = flight.Slice(TlsWire.RandomOffset, TlsWire.RandomLength);
        Span<byte> digest = stackalloc byte[FakeTlsHmac.DigestLength];
        FakeTlsHmac.ComputeWithZeroedRandom(key, clientRandom, flight, digest);
        digest.CopyTo(random);
        CryptographicOperations.ZeroMemory(digest);
        return length;
    }

    private static void WriteServerHello(
        ref WireWriter writer,
        ReadOnlySpan<byte> sessionId,
        ushort cipherSuite,
        ServerHelloExtensionOrder extensionOrder,
        ushort keyShareGroup,
        ReadOnlySpan<byte> keyShare)
    {
        writer.WriteByte(TlsWire.Handshake);
        writer.WriteUInt16(TlsWire.Version12);
        var recordLength = writer.BeginVector16();
        writer.WriteByte(TlsWire.HandshakeServerHello);
        var messageLength = writer.BeginVector24();
        writer.WriteUInt16(TlsWire.Version12);
        writer.WriteZeros(TlsWire.RandomLength);
        writer.WriteByte((byte)sessionId.Length);
        writer.WriteBytes(sessionId);
        writer.WriteUInt16(cipherSuite);
        writer.WriteByte(0);
        writer.WriteUInt16((ushort)(ExtensionsLengthWithoutKey + keyShare.Length));
        if (extensionOrder == ServerHelloExtensionOrder.SupportedVersionsFirst)
        {
            WriteSupportedVersions(ref writer);
            WriteKeyShare(ref writer, keyShareGroup, keyShare);
        }
        else
        {
            WriteKeyShare(ref writer, keyShareGroup, keyShare);
            WriteSupportedVersions(ref writer);
        }

        writer.EndVector24(messageLength);
        writer.EndVector16(recordLength);
    }

    private static void WriteKeyShare(ref WireWriter writer, ushort group, ReadOnlySpan<byte> keyShare)
    {
        writer.WriteUInt16(TlsWire.ExtensionKeyShare);
        writer.WriteUInt16((ushort)(KeyShareHeaderLength + keyShare.Length));
        writer.WriteUInt16(group);
        writer.WriteUInt16((ushort)keyShare.Length);
        writer.WriteBytes(keyShare);
    }

    private static void WriteSupportedVersions(ref WireWriter writer)
    {
        writer.WriteUInt16(TlsWire.ExtensionSupportedVersions);
        writer.WriteUInt16(SupportedVersionsDataLength);
        writer.WriteUInt16(TlsWire.Version13);
    }

    private static void WriteChangeCipherSpec(ref WireWriter writer)
    {
        writer.WriteByte(TlsWire.ChangeCipherSpec);
        writer.WriteUInt16(TlsWire.Version12);
        writer.WriteUInt16(1);
        writer.WriteByte(1);
    }
}
