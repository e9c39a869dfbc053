namespace Gozar.Protocol.FakeTls;

/// <summary>Result of the client-side check of the proxy's ServerHello flight (spec §5.6).</summary>
public enum ServerFlightStatus
{
    Ok,
    NeedMoreData,

    /// <summary>The records are not <c>16 03 03</c> then exactly <c>14 03 03 00 01 01 17 03 03</c>.</summary>
    Malformed,

    /// <summary>The server random is not the HMAC for this key and client random.</summary>
    BadHmac,
}
