namespace Gozar.Protocol.ProxyProtocol;

/// <summary>The command of a parsed PROXY protocol header.</summary>
public enum ProxyCommand
{
    /// <summary>A relayed connection. Its addresses may still be unknown (v1 UNKNOWN, v2 UNSPEC or UNIX).</summary>
    Proxy,

    /// <summary>v2 LOCAL: the proxy's own connection (a health check); the addresses are the connection's own.</summary>
    Local,
}
