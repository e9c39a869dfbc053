using System.Buffers.Binary;
using System.IO.Hashing;
using System.Numerics;

namespace Gozar.Protocol.MiddleProxy;

/// <summary>Which CRC closes an RPC frame (spec §7.2): CRC32 until both handshakes agreed on CRC32C.</summary>
public enum RpcChecksum
{
    /// <summary>zlib/IEEE CRC32 (reflected poly 0xEDB88320).</summary>
    Crc32,

    /// <summary>Castagnoli CRC32C (reflected poly 0x82F63B78), negotiated with handshake flag 0x800.</summary>
    Crc32C,
}

public static class RpcChecksums
{
    public static uint Compute(RpcChecksum kind, ReadOnlySpan<byte> data) =>
        kind == RpcChecksum.Crc32C ? Crc32C(data) : Crc32.HashToUInt32(data);

    /// <summary>CRC32C with the usual pre- and post-inversion; BitOperations uses SSE4.2/ARM CRC instructions when present.</summary>
    public static uint Crc32C(ReadOnlySpan<byte> data)
    {
        var crc = uint.MaxValue;
        while (data.Length >= sizeof(ulong))
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[sizeof(ulong)..];
        }

        foreach (var b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        return ~crc;
    }
}
