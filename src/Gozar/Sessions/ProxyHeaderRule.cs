namespace Gozar.Sessions;

/// <summary>What a session makes of the PROXY protocol, decided by the listener from the connection's source.</summary>
public enum ProxyHeaderRule
{
    /// <summary>Not a [proxy_protocol] listener: the bytes are the client's from the first one.</summary>
    None,

    /// <summary>A trusted load balancer: a header comes first and names the client.</summary>
    Read,

    /// <summary>A [proxy_protocol] listener, but the source is not trusted: masked without being looked at.</summary>
    Untrusted,
}
