using System.Net;

namespace Gozar.Protocol.ProxyProtocol;

/// <summary>
/// A PROXY protocol header (HAProxy's "The PROXY protocol", versions 1 and 2), the first bytes a load balancer sends
/// on each connection to tell the backend who the client is. <see cref="Parse"/> recognises either version from the
/// first byte and never throws: any input ends as one of the <see cref="ProxyHeaderStatus"/> values.
/// </summary>
public readonly record struct ProxyHeader
{
    /// <summary>The longest v1 header, "\r\n" included (proxy-protocol.txt §2.1).</summary>
    public const int MaxV1Length = 107;

    /// <summary>The longest v2 header the format can express: 16 fixed bytes and a 16-bit length.</summary>
    public const int MaxV2Length = ProxyHeaderV2.FixedLength + ushort.MaxValue;

    public ProxyHeaderStatus Status { get; private init; }

    /// <summary>Bytes the header takes at the start of the stream; the client's own data follows. 0 unless parsed.</summary>
    public int Length { get; private init; }

    /// <summary>1 or 2 once parsed; 0 otherwise.</summary>
    public int Version { get; private init; }

    public ProxyCommand Command { get; private init; }

    /// <summary>The client's address and port; null when the header does not carry one (LOCAL, UNKNOWN, UNSPEC, UNIX).</summary>
    public IPEndPoint? Source { get; private init; }

    /// <summary>The address and port the client connected to at the load balancer; null when <see cref="Source"/> is.</summary>
    public IPEndPoint? Destination { get; private init; }

    internal static ProxyHeader NeedMore => new() { Status = ProxyHeaderStatus.NeedMore };

    internal static ProxyHeader Invalid => new() { Status = ProxyHeaderStatus.Invalid };

    internal static ProxyHeader Parsed(int version, int length, ProxyCommand command, IPEndPoint? source, IPEndPoint? destination) =>
        new()
        {
            Status = ProxyHeaderStatus.Parsed,
            Version = version,
            Length = length,
            Command = command,
            Source = source,
            Destination = destination,
        };

    /// <summary>
    /// Parses the header at the start of <paramref name="data"/>. A v2 header longer than <paramref name="maxLength"/>
    /// bytes (TLVs included) is <see cref="ProxyHeaderStatus.Invalid"/>, so a sender cannot make the reader buffer
    /// more than that; a v1 header is never longer than <see cref="MaxV1Length"/>.
    /// </summary>
    public static ProxyHeader Parse(ReadOnlySpan<byte> data, int maxLength = MaxV2Length)
    {
        if (data.IsEmpty)
        {
            return NeedMore;
        }

        return data[0] switch
        {
            ProxyHeaderV1.FirstByte => ProxyHeaderV1.Parse(data),
            ProxyHeaderV2.FirstByte => ProxyHeaderV2.Parse(data, maxLength),
            _ => Invalid,
        };
    }
}
