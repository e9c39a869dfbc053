using System.Net;

namespace Gozar.Load.Client;

/// <summary>Where load clients connect and how: the proxy with a user's key, or the ceiling relay in plain.</summary>
public sealed record LoadTarget(IPEndPoint EndPoint, Transport Transport, byte[] Key, string Domain)
{
    /// <summary>The DC index every client asks for; the bench config routes all DCs to the fake DC.</summary>
    public const short Dc = 2;
}
