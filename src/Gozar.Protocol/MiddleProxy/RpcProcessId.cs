using System.Buffers.Binary;

namespace Gozar.Protocol.MiddleProxy;

/// <summary>
/// A "pid" in RPC_HANDSHAKE (spec §7.3), 12 bytes:
/// <code>
/// 0                 4      6     8       12
/// | IPv4 (reversed) | port | pid | time  |     all little-endian; IPv4 as a host-order uint32
/// </code>
/// </summary>
public readonly record struct RpcProcessId(uint Ip, ushort Port, ushort Pid, uint Time)
{
    public const int Length = 12;

    private const int PortOffset = 4;
    private const int PidOffset = 6;
    private const int TimeOffset = 8;

    /// <summary>The uint32 of an IPv4 address in network order (a.b.c.d → 0xaabbccdd), written LE on the wire.</summary>
    public static uint IpFromNetworkBytes(ReadOnlySpan<byte> ipv4) => BinaryPrimitives.ReadUInt32BigEndian(ipv4);

    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, Ip);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[PortOffset..], Port);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[PidOffset..], Pid);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[TimeOffset..], Time);
    }

    public static RpcProcessId Read(ReadOnlySpan<byte> source) => new(
        BinaryPrimitives.ReadUInt32LittleEndian(source),
        BinaryPrimitives.ReadUInt16LittleEndian(source[PortOffset..]),
        BinaryPrimitives.ReadUInt16LittleEndian(source[PidOffset..]),
        BinaryPrimitives.ReadUInt32LittleEndian(source[TimeOffset..]));

    /// <summary>The official check of the ME's copy of our pid: each field equal, or zero in the copy (a wildcard).</summary>
    public bool IsMatchedBy(RpcProcessId copy) =>
        (copy.Ip == 0 || copy.Ip == Ip) && (copy.Port == 0 || copy.Port == Port)
        && (copy.Pid == 0 || copy.Pid == Pid) && (copy.Time == 0 || copy.Time == Time);
}
