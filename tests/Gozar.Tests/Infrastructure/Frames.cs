using System.Buffers.Binary;
using System.Security.Cryptography;
using Gozar.Protocol.Framing;

namespace Gozar.Tests.Infrastructure;

/// <summary>Builds a stream of MTProto-sized packets framed the way a client frames them (spec §3).</summary>
public static class Frames
{
    public static byte[] Build(ProtocolTag tag, IEnumerable<int> packetLengths)
    {
        var output = new MemoryStream();
        foreach (var length in packetLengths)
        {
            var packet = RandomNumberGenerator.GetBytes(length);
            switch (tag)
            {
                case ProtocolTag.Abridged:
                    var words = length / 4;
                    if (words < 0x7f)
                    {
                        output.WriteByte((byte)words);
                    }
                    else
                    {
                        output.WriteByte(0x7f);
                        output.WriteByte((byte)words);
                        output.WriteByte((byte)(words >> 8));
                        output.WriteByte((byte)(words >> 16));
                    }

                    output.Write(packet);
                    break;
                case ProtocolTag.Intermediate:
                    WriteLength(output, length);
                    output.Write(packet);
                    break;
                default:
                    var padding = RandomNumberGenerator.GetInt32(0, 16);
                    WriteLength(output, length + padding);
                    output.Write(packet);
                    output.Write(RandomNumberGenerator.GetBytes(padding));
                    break;
            }
        }

        return output.ToArray();
    }

    private static void WriteLength(Stream output, int length)
    {
        Span<byte> header = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(header, length);
        output.Write(header);
    }
}
