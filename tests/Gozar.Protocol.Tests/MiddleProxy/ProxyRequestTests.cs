using Gozar.Protocol.Framing;
using Gozar.Protocol.MiddleProxy;
using static Gozar.Protocol.Tests.MiddleProxy.MiddleVectors;

namespace Gozar.Protocol.Tests.MiddleProxy;

/// <summary>Spec §8.6.</summary>
public class ProxyRequestTests
{
    private static readonly byte[] ClientAddress = Mapped(198, 51, 100, 7);
    private static readonly byte[] ProxyAddress = Mapped(203, 0, 113, 10);

    [Fact]
    public void WriteHeader_SpecVector_PayloadAndFrameMatch()
    {
        var frame = new byte[RpcFrame.GetPaddedLength(ProxyRequest.HeaderLengthWithAdTag + Packet.Length)];
        var payload = frame.AsSpan(RpcFrame.HeaderLength);
        var flags = ProxyRequest.GetFlags(ProtocolTag.PaddedIntermediate, quickAck: false, Packet, hasAdTag: true);

        var header = ProxyRequest.WriteHeader(payload, flags, ConnId, ClientAddress, 40000, ProxyAddress, 443, AdTag);
        Packet.CopyTo(payload[header..]);
        var length = RpcFrame.Seal(frame, header + Packet.Length, 0, RpcChecksum.Crc32);
        RpcFrame.Pad(frame, length);

        Assert.Equal(0x2802100au, flags);
        Assert.Equal(ProxyRequestPayload, Convert.ToHexStringLower(payload[..(header + Packet.Length)]));
        Assert.Equal(ProxyRequestFrame, Convert.ToHexStringLower(frame));
    }

    [Fact]
    public void WriteHeader_NoAdTag_PacketStartsAt56AndFlagIsClear()
    {
        var payload = new byte[ProxyRequest.HeaderLength];
        var flags = ProxyRequest.GetFlags(ProtocolTag.Abridged, quickAck: false, Packet, hasAdTag: false);

        var header = ProxyRequest.WriteHeader(payload, flags, ConnId, ClientAddress, 40000, ProxyAddress, 443, default);

        Assert.Equal(56, header);
        Assert.Equal(0x40021002u, flags);
    }

    [Theory]
    [InlineData(ProtocolTag.Abridged, false, 0x40021008u)]
    [InlineData(ProtocolTag.Intermediate, false, 0x20021008u)]
    [InlineData(ProtocolTag.PaddedIntermediate, false, 0x28021008u)]
    [InlineData(ProtocolTag.Intermediate, true, 0xa0021008u)]
    public void GetFlags_EncryptedPacket_HasTheTypicalValue(ProtocolTag tag, bool quickAck, uint expected)
    {
        var encrypted = new byte[64];
        encrypted[0] = 1;

        Assert.Equal(expected, ProxyRequest.GetFlags(tag, quickAck, encrypted, hasAdTag: true));
    }

    [Fact]
    public void Control_SpecPayloads_Match()
    {
        var buffer = new byte[16];
        RpcControl.WriteWithId(buffer, RpcPacketType.Ping, 0x1122334455667788);
        Assert.Equal("dfa230578877665544332211", Convert.ToHexStringLower(buffer.AsSpan(0, 12)));
        RpcControl.WriteWithId(buffer, RpcPacketType.CloseExt, ConnId);
        Assert.Equal("a234b65e0807060504030201", Convert.ToHexStringLower(buffer.AsSpan(0, 12)));
        RpcControl.WriteWithId(buffer, RpcPacketType.CloseConn, ConnId);
        Assert.Equal("5d42cf1f0807060504030201", Convert.ToHexStringLower(buffer.AsSpan(0, 12)));
        RpcControl.WriteSimpleAck(buffer, ConnId, 0xd4c3b2a1);
        Assert.Equal("9b40ac3b0807060504030201a1b2c3d4", Convert.ToHexStringLower(buffer));

        Assert.True(RpcControl.TryReadSimpleAck(buffer, out var connId, out var token));
        Assert.Equal((ConnId, 0xd4c3b2a1u), (connId, token));
    }

    private static byte[] Mapped(byte a, byte b, byte c, byte d) => [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, a, b, c, d];
}
