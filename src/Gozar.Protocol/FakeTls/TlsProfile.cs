namespace Gozar.Protocol.FakeTls;

/// <summary>
/// What a mask site's answer to a Telegram ClientHello looks like on the wire (spec §5.6, §6.3): the cipher suite
/// and key share group it picks, the order of its two ServerHello extensions, and the payload lengths of the
/// encrypted records after its ChangeCipherSpec (EncryptedExtensions, Certificate, CertificateVerify, Finished),
/// each as a range over several connections. It shapes the proxy's fake flight.
/// </summary>
/// <remarks>
/// <para>
/// The client authenticates exactly ServerHello + one ChangeCipherSpec + ONE ApplicationData record and feeds any
/// further record into the tunnel (spec §5.6 warning), so a site that sends k encrypted records is imitated with
/// one record of payload
/// <code>
/// N = sum of the k payload lengths + 5 * (k - 1)
/// </code>
/// i.e. the site's encrypted flight minus the k - 1 record headers we do not send. The flight then has the site's
/// exact byte count: a DPI box that sees TCP segments, packet sizes or the server's burst length sees the site's
/// numbers, and one that parses record headers sees a single record, which is also what sites on BoringSSL or
/// rustls send (k = 1, an exact match). Sizing N like the certificate record alone (as mtprotoproxy does) would
/// miss the site's total by EncryptedExtensions + CertificateVerify + Finished (about 200 bytes for nginx) and still
/// show one record. N is drawn from the sum of the minimums to the sum of the maximums as a signature's lengths fall
/// (see <see cref="ApplicationDataLengthPolicy"/>) and never exceeds 16384, the largest record tdlib reads.
/// </para>
/// <para>
/// Choices follow what the client offered, as the site's would: the profile's cipher suite if the hello lists it
/// (Telegram hellos list all three TLS 1.3 suites), else the client's first; an X25519MLKEM768 share only for a hello
/// that carries one, else x25519.
/// </para>
/// </remarks>
public sealed class TlsProfile : IEquatable<TlsProfile>
{
    /// <summary>More encrypted records than any TLS 1.3 server sends before the client's Finished.</summary>
    public const int MaxEncryptedRecords = 32;

    /// <summary>The fake ApplicationData record stays within what tdlib reads (spec §5.7).</summary>
    public const int MaxApplicationDataLength = TlsWire.MaxPlaintextLength;

    private readonly RecordLengthRange[] _encryptedRecords;

    /// <param name="cipherSuite">0x1301..0x1303.</param>
    /// <param name="keyShareGroup">x25519 or X25519MLKEM768: what the site picks for a hello that offers both.</param>
    /// <param name="encryptedRecords">1..<see cref="MaxEncryptedRecords"/> ranges, in flight order.</param>
    /// <param name="source">Where the numbers come from, for logs.</param>
    public TlsProfile(
        ushort cipherSuite,
        ServerHelloExtensionOrder extensionOrder,
        ushort keyShareGroup,
        ReadOnlySpan<RecordLengthRange> encryptedRecords,
        string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (!TlsWire.IsTls13CipherSuite(cipherSuite))
        {
            throw new ArgumentOutOfRangeException(nameof(cipherSuite), cipherSuite, "Not a TLS 1.3 cipher suite.");
        }

        if (!Enum.IsDefined(extensionOrder))
        {
            throw new ArgumentOutOfRangeException(nameof(extensionOrder));
        }

        if (keyShareGroup is not (TlsWire.GroupX25519 or TlsWire.GroupX25519MlKem768))
        {
            throw new ArgumentOutOfRangeException(nameof(keyShareGroup), keyShareGroup, "Only x25519 and X25519MLKEM768.");
        }

        if (encryptedRecords.IsEmpty || encryptedRecords.Length > MaxEncryptedRecords)
        {
            throw new ArgumentOutOfRangeException(nameof(encryptedRecords), $"1..{MaxEncryptedRecords} records.");
        }

        CipherSuite = cipherSuite;
        ExtensionOrder = extensionOrder;
        KeyShareGroup = keyShareGroup;
        Source = source;
        _encryptedRecords = encryptedRecords.ToArray();
        var headers = TlsWire.HeaderLength * (encryptedRecords.Length - 1);
        long minimum = headers;
        long maximum = headers;
        foreach (var range in encryptedRecords)
        {
            minimum += range.Minimum;
            maximum += range.Maximum;
        }

        ApplicationDataLength = new ApplicationDataLengthPolicy(
            (int)Math.Min(minimum, MaxApplicationDataLength), (int)Math.Min(maximum, MaxApplicationDataLength));
    }

    public ushort CipherSuite { get; }

    public ServerHelloExtensionOrder ExtensionOrder { get; }

    public ushort KeyShareGroup { get; }

    public IReadOnlyList<RecordLengthRange> EncryptedRecords => _encryptedRecords;

    public string Source { get; }

    /// <summary>The range of the one ApplicationData record (see remarks).</summary>
    public ApplicationDataLengthPolicy ApplicationDataLength { get; }

    /// <summary>
    /// Picks the shape of one flight for a hello offering <paramref name="offer"/>, whose first TLS 1.3 suite is
    /// <paramref name="clientCipherSuite"/>; <paramref name="random"/> is a caller-supplied random number.
    /// </summary>
    public ServerFlightShape Choose(ClientHelloOffer offer, ushort clientCipherSuite, uint random) => new(
        offer.OffersCipherSuite(CipherSuite) ? CipherSuite : clientCipherSuite,
        ExtensionOrder,
        KeyShareGroup == TlsWire.GroupX25519MlKem768 && offer.OffersHybridKeyShare ? TlsWire.GroupX25519MlKem768 : TlsWire.GroupX25519,
        ApplicationDataLength.Pick(random));

    public bool Equals(TlsProfile? other) =>
        other is not null
        && CipherSuite == other.CipherSuite
        && ExtensionOrder == other.ExtensionOrder
        && KeyShareGroup == other.KeyShareGroup
        && Source == other.Source
        && _encryptedRecords.AsSpan().SequenceEqual(other._encryptedRecords);

    public override bool Equals(object? obj) => Equals(obj as TlsProfile);

    public override int GetHashCode() =>
        HashCode.Combine(CipherSuite, ExtensionOrder, KeyShareGroup, Source, _encryptedRecords.Length, ApplicationDataLength);
}
