namespace Gozar.Load.Client;

/// <summary>How a load client talks to its target.</summary>
public enum Transport
{
    /// <summary>No obfuscation at all: for the crypto-free ceiling relay, which passes bytes to the DC's plain port.</summary>
    Plain,

    /// <summary>Obfuscated2 with a plain secret and the abridged tag (spec §2, §3.1).</summary>
    Classic,

    /// <summary>Obfuscated2 with a dd secret: padded intermediate (spec §3.3).</summary>
    Secure,

    /// <summary>Fake-TLS (ee secret): ClientHello, flight check, then obfuscated2 (tag dd) in records (spec §5).</summary>
    Tls,

    /// <summary>
    /// The proxy's own side of a tunnel: an obfuscated2 init without a secret, as a proxy opens a DC connection (spec
    /// §4.2). Through the blind relay to the fake DC's obfuscated port this is the second ceiling: the load side encrypts
    /// and decrypts every byte as it does through Gozar (minus the fake-TLS framing), the relay does no crypto.
    /// </summary>
    Upstream,
}
