namespace Gozar.Protocol.FakeTls;

/// <summary>Result of reading a mask site's answer to our probe ClientHello (spec §6.3).</summary>
public enum MaskSiteFlightStatus
{
    Ok,
    NeedMoreData,

    /// <summary>The answer does not start with a TLS handshake record (e.g. an alert or plain text).</summary>
    NotTls,

    /// <summary>
    /// TLS, but not a plain TLS 1.3 ServerHello + ChangeCipherSpec + ApplicationData flight that can be
    /// imitated: TLS 1.2, a HelloRetryRequest, a session id not echoed, unexpected extensions.
    /// </summary>
    Unsuitable,
}
