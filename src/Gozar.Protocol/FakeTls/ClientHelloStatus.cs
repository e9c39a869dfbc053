namespace Gozar.Protocol.FakeTls;

/// <summary>Result of parsing or reassembling a ClientHello (spec §5.1, §5.3 steps 1-2).</summary>
public enum ClientHelloStatus
{
    Ok,

    /// <summary>The bytes so far are a valid prefix; more are needed (reassembly only).</summary>
    NeedMoreData,

    /// <summary>The input does not start with a <c>16 03 01</c> TLS handshake record header.</summary>
    NotHandshakeRecord,

    /// <summary>A handshake record, but its message is not a ClientHello.</summary>
    NotClientHello,

    /// <summary>A ClientHello whose structure is inconsistent or exceeds a limit.</summary>
    Malformed,
}
