using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gozar.Protocol.Tests.ProxyProtocol;

/// <summary>Builds PROXY protocol headers the way a load balancer writes them (proxy-protocol.txt §2.1, §2.2).</summary>
internal static class ProxyHeaderBytes
{
    public static readonly byte[] Signature = [0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a];

    public static byte[] V1(IPEndPoint source, IPEndPoint destination)
    {
        var protocol = source.AddressFamily == AddressFamily.InterNetwork ? "TCP4" : "TCP6";
        return Encoding.ASCII.GetBytes(
            $"PROXY {protocol} {source.Address} {destination.Address} {source.Port} {destination.Port}\r\n");
    }

    public static byte[] V2(IPEndPoint source, IPEndPoint destination, byte[]? tlvs = null)
    {
        var v4 = source.AddressFamily == AddressFamily.InterNetwork;
        var addresses = new List<byte>();
        addresses.AddRange(source.Address.GetAddressBytes());
        addresses.AddRange(destination.Address.GetAddressBytes());
        addresses.AddRange(BigEndian((ushort)source.Port));
        addresses.AddRange(BigEndian((ushort)destination.Port));
        addresses.AddRange(tlvs ?? []);
        return V2Raw(0x21, v4 ? (byte)0x11 : (byte)0x21, [.. addresses]);
    }

    public static byte[] V2Local(byte family = 0x00, byte[]? body = null) => V2Raw(0x20, family, body ?? []);

    public static byte[] V2Raw(byte versionCommand, byte familyProtocol, byte[] body)
    {
        var header = new byte[16 + body.Length];
        Signature.CopyTo(header, 0);
        header[12] = versionCommand;
        header[13] = familyProtocol;
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(14), (ushort)body.Length);
        body.CopyTo(header, 16);
        return header;
    }

    public static byte[] Tlv(byte type, int length)
    {
        var tlv = new byte[3 + length];
        tlv[0] = type;
        BinaryPrimitives.WriteUInt16BigEndian(tlv.AsSpan(1), (ushort)length);
        tlv.AsSpan(3).Fill(0x5a);
        return tlv;
    }

    private static byte[] BigEndian(ushort value)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, value);
        return bytes;
    }
}
