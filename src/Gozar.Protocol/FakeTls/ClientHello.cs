using System.Buffers.Binary;

namespace Gozar.Protocol.FakeTls;

/// <summary>
/// A parsed view of one single-record fake-TLS ClientHello (spec §5.1, §5.3 step 2). All spans point
/// into the record passed to <see cref="TryParse"/>.
/// </summary>
/// <remarks>
/// Record layout (spec §5.1):
/// <code>
/// 0       0x16 handshake
/// 1..3    03 01
/// 3..5    record length L, BE (1..16384)
/// 5       0x01 ClientHello
/// 6..9    handshake length L-4, BE
/// 9..11   legacy version
/// 11..43  random = HMAC authenticator (§5.2)
/// 43      session id length (&lt;= 32)
/// 44..    session id, cipher suites (vector16), compression (vector8), extensions (vector16)
/// </code>
/// </remarks>
public readonly ref struct ClientHello
{
    public const int RecordHeaderLength = TlsWire.HeaderLength;
    public const int RandomOffset = TlsWire.RandomOffset;
    public const int RandomLength = TlsWire.RandomLength;
    public const int MaxRecordPayload = TlsWire.MaxPlaintextLength;
    public const int MaxRecordLength = RecordHeaderLength + MaxRecordPayload;

    /// <summary>Cipher suite answered when the client offered no TLS 1.3 suite.</summary>
    public const ushort DefaultCipherSuite = TlsWire.CipherAes128GcmSha256;

    private const int HandshakeTypeOffset = 5;
    private const int HandshakeHeaderLength = 4;
    private const int LegacyVersionLength = 2;
    private const int ServerNameTypeHostName = 0;

    private ClientHello(
        ReadOnlySpan<byte> record,
        ReadOnlySpan<byte> sessionId,
        ReadOnlySpan<byte> serverName,
        ushort cipherSuite)
    {
        Record = record;
        SessionId = sessionId;
        ServerName = serverName;
        CipherSuite = cipherSuite;
    }

    /// <summary>The complete record, header included: the HMAC input (with the random zeroed).</summary>
    public ReadOnlySpan<byte> Record { get; }

    /// <summary>The 32-byte client random (bytes 11..43) as received; empty on a default instance.</summary>
    public ReadOnlySpan<byte> Random => Record.IsEmpty ? default : Record.Slice(RandomOffset, RandomLength);

    public ReadOnlySpan<byte> SessionId { get; }

    /// <summary>The server_name host name bytes (ASCII on the wire); empty when the extension is absent.</summary>
    public ReadOnlySpan<byte> ServerName { get; }

    /// <summary>
    /// The first TLS 1.3 suite (0x1301..0x1303) in the client's list, else <see cref="DefaultCipherSuite"/>.
    /// GREASE values never fall in that range, so they are skipped implicitly.
    /// </summary>
    public ushort CipherSuite { get; }

    /// <summary>
    /// Parses exactly one record: <paramref name="record"/> must be the header plus the announced
    /// length, nothing more or less. Never throws on any input.
    /// </summary>
    public static ClientHelloStatus TryParse(ReadOnlySpan<byte> record, out ClientHello hello)
    {
        hello = default;
        var status = CheckRecordHeader(record, out var payloadLength);
        if (status != ClientHelloStatus.Ok)
        {
            return status;
        }

        if (record.Length != RecordHeaderLength + payloadLength)
        {
            return ClientHelloStatus.Malformed;
        }

        var reader = new WireReader(record[HandshakeTypeOffset..]);
        if (!reader.TryReadByte(out var handshakeType))
        {
            return ClientHelloStatus.Malformed;
        }

        if (handshakeType != TlsWire.HandshakeClientHello)
        {
            return ClientHelloStatus.NotClientHello;
        }

        if (!reader.TryReadUInt24(out var handshakeLength)
            || handshakeLength != payloadLength - HandshakeHeaderLength
            || !reader.TryReadBytes(LegacyVersionLength + RandomLength, out _)
            || !reader.TryReadVector8(out var sessionId)
            || sessionId.Length > TlsWire.MaxSessionIdLength
            || !reader.TryReadVector16(out var cipherSuites)
            || !TryChooseCipherSuite(cipherSuites, out var cipherSuite)
            || !reader.TryReadVector8(out _))
        {
            return ClientHelloStatus.Malformed;
        }

        var serverName = ReadOnlySpan<byte>.Empty;
        if (reader.Remaining > 0)
        {
            if (!reader.TryReadVector16(out var extensions)
                || reader.Remaining != 0
                || !TryFindServerName(extensions, out serverName))
            {
                return ClientHelloStatus.Malformed;
            }
        }

        hello = new ClientHello(record, sessionId, serverName, cipherSuite);
        return ClientHelloStatus.Ok;
    }

    /// <summary>
    /// Checks the 5-byte record header (spec §5.3 step 1) as far as <paramref name="input"/> reaches.
    /// Returns <see cref="ClientHelloStatus.NeedMoreData"/> for a valid but short prefix.
    /// </summary>
    internal static ClientHelloStatus CheckRecordHeader(ReadOnlySpan<byte> input, out int payloadLength)
    {
        payloadLength = 0;
        ReadOnlySpan<byte> expected = [TlsWire.Handshake, 0x03, 0x01];
        var available = Math.Min(input.Length, expected.Length);
        if (!input[..available].SequenceEqual(expected[..available]))
        {
            return ClientHelloStatus.NotHandshakeRecord;
        }

        if (input.Length < RecordHeaderLength)
        {
            return ClientHelloStatus.NeedMoreData;
        }

        payloadLength = BinaryPrimitives.ReadUInt16BigEndian(input[TlsWire.LengthOffset..]);
        return payloadLength is > 0 and <= MaxRecordPayload ? ClientHelloStatus.Ok : ClientHelloStatus.Malformed;
    }

    private static bool TryChooseCipherSuite(ReadOnlySpan<byte> suites, out ushort chosen)
    {
        chosen = DefaultCipherSuite;
        if (suites.Length == 0 || suites.Length % 2 != 0)
        {
            return false;
        }

        for (var i = 0; i < suites.Length; i += 2)
        {
            var suite = BinaryPrimitives.ReadUInt16BigEndian(suites[i..]);
            if (TlsWire.IsTls13CipherSuite(suite))
            {
                chosen = suite;
                break;
            }
        }

        return true;
    }

    /// <summary>
    /// Walks the whole extension block (so a truncated block is rejected even after the SNI) and
    /// returns the first host_name entry of the first server_name extension.
    /// </summary>
    private static bool TryFindServerName(ReadOnlySpan<byte> extensions, out ReadOnlySpan<byte> hostName)
    {
        hostName = default;
        var found = false;
        var reader = new WireReader(extensions);
        while (reader.Remaining > 0)
        {
            if (!reader.TryReadUInt16(out var type) || !reader.TryReadVector16(out var data))
            {
                return false;
            }

            if (type != TlsWire.ExtensionServerName || found)
            {
                continue;
            }

            if (!TryReadHostName(data, out hostName))
            {
                return false;
            }

            found = true;
        }

        return true;
    }

    // server_name extension data: ServerNameList vector16 of { name_type(1), HostName vector16 }.
    private static bool TryReadHostName(ReadOnlySpan<byte> data, out ReadOnlySpan<byte> hostName)
    {
        hostName = default;
        var reader = new WireReader(data);
        if (!reader.TryReadVector16(out var list) || reader.Remaining != 0)
        {
            return false;
        }

        var entries = new WireReader(list);
        while (entries.Remaining > 0)
        {
            if (!entries.TryReadByte(out var nameType) || !entries.TryReadVector16(out var name))
            {
                return false;
            }

            if (nameType == ServerNameTypeHostName && hostName.IsEmpty)
            {
                if (name.IsEmpty)
                {
                    return false;
                }

                hostName = name;
            }
        }

        return true;
    }
}
