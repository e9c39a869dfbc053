using Gozar.FakeDc.Crypto;

namespace Gozar.FakeDc;

public sealed record FakeDcOptions
{
    /// <summary>
    /// Derive the auth key from g^(ab) without its leading zero bytes, as Telethon and GramJS do, instead of the
    /// protocol's 256 bytes. Either way one side disagrees with some client about one exchange in 256.
    /// </summary>
    public bool StripAuthKeyLeadingZeros { get; init; } = true;

    /// <summary>The DC's RSA key; a fresh one when null. Tests share one, since generating it takes a while.</summary>
    public DcRsaKey? RsaKey { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Receives one line per event when set (the runnable DC prints to the console).</summary>
    public TextWriter? Trace { get; init; }
}
