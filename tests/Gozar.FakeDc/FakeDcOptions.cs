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

    /// <summary>
    /// Fingerprints of RSA keys the DC lists in resPQ without holding them, such as Telegram's own, which tdlib has built
    /// in and takes no other. A client that picks one gets as far as req_DH_params: the DC checks its nonces, p and q,
    /// records it (<see cref="DcEvents.ForeignKeyRequests"/>) and closes, since it cannot open the encrypted data.
    /// </summary>
    public IReadOnlyList<long> ForeignKeyFingerprints { get; init; } = [];

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Receives one line per event when set (the runnable DC prints to the console).</summary>
    public TextWriter? Trace { get; init; }
}
