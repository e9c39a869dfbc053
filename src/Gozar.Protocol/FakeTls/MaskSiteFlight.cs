using System.Buffers.Binary;

namespace Gozar.Protocol.FakeTls;

/// <summary>
/// What the proxy learns from one answer of the mask site to a Telegram-like ClientHello (spec §6.3), to
/// shape its own ServerHello flight (§5.6) like the real site's.
/// </summary>
/// <param name="CipherSuite">The TLS 1.3 suite the site chose.</param>
/// <param name="ExtensionOrder">Order of key_share and supported_versions in the site's ServerHello.</param>
/// <param name="ApplicationDataLength">Payload length of the site's first ApplicationData record.</param>
public readonly record struct MaskSiteFlight(
    ushort CipherSuite,
    ServerHelloExtensionOrder ExtensionOrder,
    int ApplicationDataLength)
{
    private const int HandshakeHeaderLength = 4;

    /// <summary>The group of the site's key share: x25519, or X25519MLKEM768 when the hello offered it.</summary>
    public ushort KeyShareGroup { get; init; } = TlsWire.GroupX25519;

    /// <summary>Where the first ApplicationData record starts: after the ServerHello and ChangeCipherSpec records.</summary>
    public int EncryptedRecordsOffset { get; init; }

    // RFC 8446 §4.1.3: a HelloRetryRequest is a ServerHello whose random is SHA-256("HelloRetryRequest").
    private static ReadOnlySpan<byte> HelloRetryRequestRandom =>
    [
        0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
        0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
    ];

    private static ReadOnlySpan<byte> ChangeCipherSpecRecord => [TlsWire.ChangeCipherSpec, 0x03, 0x03, 0x00, 0x01, 0x01];

    private static ReadOnlySpan<byte> ApplicationDataPrefix => [TlsWire.ApplicationData, 0x03, 0x03];

    /// <summary>
    /// Reads the site's answer up to the first ApplicationData record header (its payload is not needed).
    /// Requires what the official proxy requires: a <c>16 03 03</c> record holding exactly one TLS 1.3
    /// ServerHello that echoes <paramref name="sentSessionId"/>, with only key_share (x25519 or X25519MLKEM768)
    /// and supported_versions (0x0304), then <c>14 03 03 00 01 01</c>, then <c>17 03 03</c>.
    /// </summary>
    public static MaskSiteFlightStatus TryParse(
        ReadOnlySpan<byte> response,
        ReadOnlySpan<byte> sentSessionId,
        out MaskSiteFlight flight)
    {
        flight = default;
        if (response.Length < TlsWire.HeaderLength)
        {
            return response.IsEmpty || response[0] == TlsWire.Handshake
                ? MaskSiteFlightStatus.NeedMoreData
                : MaskSiteFlightStatus.NotTls;
        }

        if (response[0] != TlsWire.Handshake)
        {
            return MaskSiteFlightStatus.NotTls;
        }

        var helloLength = BinaryPrimitives.ReadUInt16BigEndian(response[TlsWire.LengthOffset..]);
        if (BinaryPrimitives.ReadUInt16BigEndian(response[TlsWire.VersionOffset..]) != TlsWire.Version12
            || helloLength > TlsWire.MaxPlaintextLength)
        {
            return MaskSiteFlightStatus.Unsuitable;
        }

        var afterHello = TlsWire.HeaderLength + helloLength;
        var afterChangeCipherSpec = afterHello + ChangeCipherSpecRecord.Length;
        if (response.Length < afterChangeCipherSpec + TlsWire.HeaderLength)
        {
            return MaskSiteFlightStatus.NeedMoreData;
        }

        if (!TryParseServerHello(response.Slice(TlsWire.HeaderLength, helloLength), sentSessionId, out var suite, out var order, out var group)
            || !response.Slice(afterHello, ChangeCipherSpecRecord.Length).SequenceEqual(ChangeCipherSpecRecord)
            || !response.Slice(afterChangeCipherSpec, ApplicationDataPrefix.Length).SequenceEqual(ApplicationDataPrefix))
        {
            return MaskSiteFlightStatus.Unsuitable;
        }

        var dataLength = BinaryPrimitives.ReadUInt16BigEndian(response[(afterChangeCipherSpec + TlsWire.LengthOffset)..]);
        if (dataLength is 0 or > TlsWire.MaxCiphertextLength)
        {
            return MaskSiteFlightStatus.Unsuitable;
        }

        flight = new MaskSiteFlight(suite, order, dataLength) { KeyShareGroup = group, EncryptedRecordsOffset = afterChangeCipherSpec };
        return MaskSiteFlightStatus.Ok;
    }

    /// <summary>
    /// Reads the payload lengths of the consecutive ApplicationData records (<c>17 03 03</c>, 1..16384 + 256 bytes)
    /// that make up <paramref name="encrypted"/>, the site's flight from <see cref="EncryptedRecordsOffset"/> on:
    /// its EncryptedExtensions, Certificate, CertificateVerify and Finished, one or several per record.
    /// </summary>
    /// <returns>
    /// Ok when <paramref name="encrypted"/> ends on a record boundary after at least one record; NeedMoreData when it
    /// is empty or ends inside a record; Unsuitable for any other record or more than <paramref name="lengths"/> holds.
    /// </returns>
    public static MaskSiteFlightStatus TryReadEncryptedRecords(ReadOnlySpan<byte> encrypted, Span<int> lengths, out int count)
    {
        count = 0;
        var position = 0;
        while (position < encrypted.Length)
        {
            var header = encrypted[position..];
            var available = Math.Min(header.Length, ApplicationDataPrefix.Length);
            if (!header[..available].SequenceEqual(ApplicationDataPrefix[..available]))
            {
                return MaskSiteFlightStatus.Unsuitable;
            }

            if (header.Length < TlsWire.HeaderLength)
            {
                return MaskSiteFlightStatus.NeedMoreData;
            }

            var length = BinaryPrimitives.ReadUInt16BigEndian(header[TlsWire.LengthOffset..]);
            if (length is 0 or > TlsWire.MaxCiphertextLength || count == lengths.Length)
            {
                return MaskSiteFlightStatus.Unsuitable;
            }

            if (header.Length < TlsWire.HeaderLength + length)
            {
                return MaskSiteFlightStatus.NeedMoreData;
            }

            lengths[count++] = length;
            position += TlsWire.HeaderLength + length;
        }

        return count == 0 ? MaskSiteFlightStatus.NeedMoreData : MaskSiteFlightStatus.Ok;
    }

    private static bool TryParseServerHello(
        ReadOnlySpan<byte> message,
        ReadOnlySpan<byte> sentSessionId,
        out ushort cipherSuite,
        out ServerHelloExtensionOrder order,
        out ushort group)
    {
        cipherSuite = 0;
        group = 0;
        order = ServerHelloExtensionOrder.KeyShareFirst;
        var reader = new WireReader(message);
        if (!reader.TryReadByte(out var type)
            || type != TlsWire.HandshakeServerHello
            || !reader.TryReadUInt24(out var length)
            || length != message.Length - HandshakeHeaderLength
            || !reader.TryReadUInt16(out var legacyVersion)
            || legacyVersion != TlsWire.Version12
            || !reader.TryReadBytes(TlsWire.RandomLength, out var random)
            || random.SequenceEqual(HelloRetryRequestRandom)
            || !reader.TryReadVector8(out var sessionId)
            || !sessionId.SequenceEqual(sentSessionId)
            || !reader.TryReadUInt16(out cipherSuite)
            || !TlsWire.IsTls13CipherSuite(cipherSuite)
            || !reader.TryReadByte(out var compression)
            || compression != 0
            || !reader.TryReadVector16(out var extensions)
            || reader.Remaining != 0)
        {
            return false;
        }

        return TryReadExtensions(extensions, out order, out group);
    }

    private static bool TryReadExtensions(ReadOnlySpan<byte> extensions, out ServerHelloExtensionOrder order, out ushort group)
    {
        order = ServerHelloExtensionOrder.KeyShareFirst;
        group = 0;
        var reader = new WireReader(extensions);
        if (!reader.TryReadUInt16(out var first)
            || !reader.TryReadVector16(out var firstData)
            || !reader.TryReadUInt16(out var second)
            || !reader.TryReadVector16(out var secondData)
            || reader.Remaining != 0)
        {
            return false;
        }

        ReadOnlySpan<byte> versions;
        ReadOnlySpan<byte> keyShare;
        if (first == TlsWire.ExtensionKeyShare && second == TlsWire.ExtensionSupportedVersions)
        {
            keyShare = firstData;
            versions = secondData;
        }
        else if (first == TlsWire.ExtensionSupportedVersions && second == TlsWire.ExtensionKeyShare)
        {
            versions = firstData;
            keyShare = secondData;
            order = ServerHelloExtensionOrder.SupportedVersionsFirst;
        }
        else
        {
            return false;
        }

        return versions.Length == 2
            && BinaryPrimitives.ReadUInt16BigEndian(versions) == TlsWire.Version13
            && TryReadKeyShare(keyShare, out group);
    }

    /// <summary>A server key_share: group(2), key_exchange vector16 of the group's length; only groups we can imitate.</summary>
    private static bool TryReadKeyShare(ReadOnlySpan<byte> keyShare, out ushort group)
    {
        var reader = new WireReader(keyShare);
        if (!reader.TryReadUInt16(out group)
            || group is not (TlsWire.GroupX25519 or TlsWire.GroupX25519MlKem768)
            || !reader.TryReadVector16(out var keyExchange)
            || reader.Remaining != 0)
        {
            return false;
        }

        return keyExchange.Length == ServerHelloFlight.GetKeyShareLength(group);
    }
}
