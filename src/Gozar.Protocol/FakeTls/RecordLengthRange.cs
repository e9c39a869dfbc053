namespace Gozar.Protocol.FakeTls;

/// <summary>
/// The payload lengths one encrypted record of a site's flight takes over several connections: its size noise (an
/// ECDSA CertificateVerify varies with the DER length of the signature, a certificate record stays put).
/// </summary>
public readonly record struct RecordLengthRange
{
    public RecordLengthRange(int minimum, int maximum)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minimum, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maximum, TlsWire.MaxCiphertextLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minimum, maximum);
        Minimum = minimum;
        Maximum = maximum;
    }

    public int Minimum { get; }

    public int Maximum { get; }

    /// <summary>The largest record payload a TLS peer may send (2^14 + 256).</summary>
    public static int Limit => TlsWire.MaxCiphertextLength;

    public static RecordLengthRange Exactly(int length) => new(length, length);
}
