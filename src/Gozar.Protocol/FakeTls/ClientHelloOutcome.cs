namespace Gozar.Protocol.FakeTls;

/// <summary>
/// Verdict on a fake-TLS ClientHello (spec §5.3-5.5). Everything except <see cref="Authenticated"/>
/// makes the connection bad, to be masked (§6.1). Replays are judged by the caller (§6.2).
/// </summary>
public enum ClientHelloOutcome
{
    Authenticated,

    /// <summary>Not a <c>16 03 01</c> handshake record carrying a ClientHello.</summary>
    NotAHello,

    /// <summary>A ClientHello whose structure is broken.</summary>
    Malformed,

    /// <summary>No key produced a matching HMAC.</summary>
    BadHmac,

    /// <summary>A key matched but the timestamp is outside the clock-skew window.</summary>
    ClockSkew,

    /// <summary>A key matched but the SNI is absent or not one of the allowed domains.</summary>
    UnknownSni,
}
