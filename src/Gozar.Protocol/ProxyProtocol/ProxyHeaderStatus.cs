namespace Gozar.Protocol.ProxyProtocol;

/// <summary>What <see cref="ProxyHeader.Parse"/> made of the bytes a connection sent first.</summary>
public enum ProxyHeaderStatus
{
    /// <summary>Everything so far is the start of a valid header; more bytes are needed to decide.</summary>
    NeedMore,

    /// <summary>Not a PROXY protocol header, or a malformed or over-long one.</summary>
    Invalid,

    /// <summary>A complete header of <see cref="ProxyHeader.Length"/> bytes.</summary>
    Parsed,
}
