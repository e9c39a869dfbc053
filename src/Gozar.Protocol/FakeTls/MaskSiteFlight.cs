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
    /// ServerHello that echoes <paramref name="sentSessionId"/>, with only key_share and
    /// supported_versions (0x0304), then <c>14 03 03 00 01 01</c>, then <c>17 03 03</c>.
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

        if (!TryParseServerHello(response.Slice(TlsWire.HeaderLength, helloLength), sentSessionId, out var suite, out var order)
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

        flight = new MaskSiteFlight(suite, order, dataLength);
        return MaskSiteFlightStatus.Ok;
    }

    private static bool TryParseServerHello(
        ReadOnlySpan<byte> message,
        ReadOnlySpan<byte> sentSessionId,
        out ushort cipherSuite,
        out ServerHelloExtensionOrder order)
    {
        cipherSuite = 0;
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

        return TryReadExtensionOrder(extensions, out order);
    }

    private static bool TryReadExtensionOrder(ReadOnlySpan<byte> extensions, out ServerHelloExtensionOrder order)
    {
        order = ServerHelloExtensionOrder.KeyShareFirst;
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
        if (first == TlsWire.ExtensionKeyShare && second == TlsWire.ExtensionSupportedVersions)
        {
            versions = secondData;
        }
        else if (first == TlsWire.ExtensionSupportedVersions && second == TlsWire.ExtensionKeyShare)
        {
            versions = firstData;
            order = ServerHelloExtensionOrder.SupportedVersionsFirst;
        }
        else
        {
            return false;
        }

        return versions.Length == 2 && BinaryPrimitives.ReadUInt16BigEndian(versions) == TlsWire.Version13;
    }
}
