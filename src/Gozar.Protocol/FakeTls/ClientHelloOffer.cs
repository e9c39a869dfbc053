namespace Gozar.Protocol.FakeTls;

/// <summary>
/// What an authenticated ClientHello offers that a real server's choice depends on (spec §5.1, §6.3): its TLS 1.3
/// cipher suites and whether it sent an X25519MLKEM768 key share. A profile's choices apply only to what was offered.
/// </summary>
/// <remarks>
/// Reads the hello record laid out as in <see cref="ClientHello"/>: after the session id come the cipher suites
/// (vector16), compression (vector8) and extensions (vector16); key_share (00 33) holds a vector16 of
/// { group(2), key_exchange vector16 }.
/// </remarks>
public readonly record struct ClientHelloOffer
{
    private const int SuitesOffset = TlsWire.RandomOffset + TlsWire.RandomLength;

    private readonly int _tls13Suites;

    private ClientHelloOffer(int tls13Suites, bool hybridKeyShare)
    {
        _tls13Suites = tls13Suites;
        OffersHybridKeyShare = hybridKeyShare;
    }

    /// <summary>True when the hello carries a key share for X25519MLKEM768 (current tdlib does).</summary>
    public bool OffersHybridKeyShare { get; }

    public bool OffersCipherSuite(ushort suite) =>
        TlsWire.IsTls13CipherSuite(suite) && (_tls13Suites & SuiteBit(suite)) != 0;

    /// <summary>
    /// Reads a single-record hello (header included) that <see cref="ClientHello.TryParse"/> accepted; anything it
    /// cannot read counts as not offered.
    /// </summary>
    public static ClientHelloOffer Read(ReadOnlySpan<byte> record)
    {
        if (record.Length <= SuitesOffset)
        {
            return default;
        }

        var reader = new WireReader(record[SuitesOffset..]);
        var suites = 0;
        if (!reader.TryReadVector8(out _) || !reader.TryReadVector16(out var cipherSuites))
        {
            return default;
        }

        var suiteReader = new WireReader(cipherSuites);
        while (suiteReader.TryReadUInt16(out var suite))
        {
            if (TlsWire.IsTls13CipherSuite(suite))
            {
                suites |= SuiteBit(suite);
            }
        }

        var hybrid = reader.TryReadVector8(out _)
            && reader.TryReadVector16(out var extensions)
            && HasHybridKeyShare(extensions);
        return new ClientHelloOffer(suites, hybrid);
    }

    private static int SuiteBit(ushort suite) => 1 << (suite - TlsWire.CipherAes128GcmSha256);

    private static bool HasHybridKeyShare(ReadOnlySpan<byte> extensions)
    {
        var reader = new WireReader(extensions);
        while (reader.TryReadUInt16(out var type) && reader.TryReadVector16(out var data))
        {
            if (type != TlsWire.ExtensionKeyShare)
            {
                continue;
            }

            var shares = new WireReader(data);
            if (!shares.TryReadVector16(out var list))
            {
                return false;
            }

            var entries = new WireReader(list);
            while (entries.TryReadUInt16(out var group) && entries.TryReadVector16(out _))
            {
                if (group == TlsWire.GroupX25519MlKem768)
                {
                    return true;
                }
            }

            return false;
        }

        return false;
    }
}
