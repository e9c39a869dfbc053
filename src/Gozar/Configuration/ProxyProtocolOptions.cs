using System.Net;

namespace Gozar.Configuration;

/// <summary>
/// [proxy_protocol]: listen addresses behind a load balancer that prepends a PROXY protocol header (v1 or v2) to each
/// connection, and the networks such a load balancer connects from. Off (no listeners) by default.
/// </summary>
public sealed record ProxyProtocolOptions
{
    /// <summary>Entries of <c>listen</c> whose connections from <see cref="Trusted"/> must start with a header.</summary>
    public IReadOnlyList<IPEndPoint> Listeners { get; init; } = [];

    /// <summary>Source networks whose header is believed; on those listeners anyone else is masked, header or not.</summary>
    public IReadOnlyList<IPNetwork> Trusted { get; init; } = [];

    /// <summary>Longest v2 header accepted, TLVs included (default 4 KiB; a v1 header is at most 107 bytes).</summary>
    public int MaxHeaderBytes { get; init; } = 4 * 1024;

    public bool Trusts(IPAddress? address) => address is not null && NetworkList.Contains(Trusted, address);
}
