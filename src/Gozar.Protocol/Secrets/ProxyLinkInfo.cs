namespace Gozar.Protocol.Secrets;

/// <summary>
/// What a proxy link says. <see cref="Server"/> is an IPv4 literal, a bare canonical IPv6 literal or an ASCII host name.
/// </summary>
public sealed record ProxyLinkInfo(string Server, int Port, ProxySecret Secret);
