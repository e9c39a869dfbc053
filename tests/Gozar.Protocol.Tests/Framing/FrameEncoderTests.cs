using Gozar.Protocol.Framing;

namespace Gozar.Protocol.Tests.Framing;

public class FrameEncoderTests
{
    [Theory]
    [InlineData(ProtocolTag.Abridged)]
    [InlineData(ProtocolTag.Intermediate)]
    [InlineData(ProtocolTag.PaddedIntermediate)]
    public void WriteHeader_PacketNotPositiveMultipleOf4_Throws(ProtocolTag tag)
    {
        var destination = new byte[4];

        Assert.Throws<ArgumentOutOfRangeException>(() =>
            FrameEncoder.WriteHeader(tag, FrameDirection.ClientToServer, 0, 0, false, destination));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            FrameEncoder.WriteHeader(tag, FrameDirection.ClientToServer, 6, 0, false, destination));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            FrameEncoder.WriteHeader(tag, FrameDirection.ClientToServer, -4, 0, false, destination));
    }

    [Theory]
    [InlineData(ProtocolTag.PaddedIntermediate, FrameDirection.ClientToServer, 15, true)]
    [InlineData(ProtocolTag.PaddedIntermediate, FrameDirection.ClientToServer, 16, false)]
    [InlineData(ProtocolTag.PaddedIntermediate, FrameDirection.ServerToClient, 3, true)]
    [InlineData(ProtocolTag.PaddedIntermediate, FrameDirection.ServerToClient, 4, false)]
    [InlineData(ProtocolTag.PaddedIntermediate, FrameDirection.ClientToServer, -1, false)]
    [InlineData(ProtocolTag.Intermediate, FrameDirection.ClientToServer, 1, false)]
    [InlineData(ProtocolTag.Abridged, FrameDirection.ServerToClient, 1, false)]
    public void WriteHeader_Padding_AllowedOnlyWithinSenderLimit(
        ProtocolTag tag, FrameDirection direction, int padding, bool allowed)
    {
        var destination = new byte[4];

        var write = () => FrameEncoder.WriteHeader(tag, direction, 16, padding, false, destination);

        if (allowed)
        {
            Assert.Equal(4, write());
            Assert.Equal(16 + padding, BitConverter.ToInt32(destination));
        }
        else
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => write());
        }
    }

    [Theory]
    [InlineData(ProtocolTag.Abridged)]
    [InlineData(ProtocolTag.Intermediate)]
    public void WriteHeader_QuickAckFromServer_Throws(ProtocolTag tag)
    {
        Assert.Throws<ArgumentException>(() =>
            FrameEncoder.WriteHeader(tag, FrameDirection.ServerToClient, 8, 0, true, new byte[4]));
    }

    [Fact]
    public void WriteHeader_AbridgedOverMaxWords_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            FrameEncoder.WriteHeader(ProtocolTag.Abridged, FrameDirection.ClientToServer, 0x1000000 * 4, 0, false, new byte[4]));
    }

    [Fact]
    public void WriteHeader_IntermediateLengthUsingBit30_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            FrameEncoder.WriteHeader(ProtocolTag.Intermediate, FrameDirection.ClientToServer, 0x40000000, 0, false, new byte[4]));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            FrameEncoder.WriteHeader(ProtocolTag.PaddedIntermediate, FrameDirection.ClientToServer, 0x3ffffffc, 4, false, new byte[4]));
    }

    [Theory]
    [InlineData(ProtocolTag.Abridged, 508)]
    [InlineData(ProtocolTag.Intermediate, 8)]
    public void WriteHeader_DestinationShorterThanHeader_Throws(ProtocolTag tag, int packetLength)
    {
        Assert.Throws<ArgumentException>(() =>
            FrameEncoder.WriteHeader(tag, FrameDirection.ClientToServer, packetLength, 0, false, new byte[3]));
    }

    [Fact]
    public void WriteHeader_UnknownTag_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            FrameEncoder.WriteHeader((ProtocolTag)0x12345678, FrameDirection.ClientToServer, 8, 0, false, new byte[4]));
    }

    [Fact]
    public void WriteFrame_PaddedWithPadding_WritesHeaderPacketPadding()
    {
        var packet = new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 };
        var padding = new byte[] { 0xa, 0xb };
        var destination = new byte[20];

        var written = FrameEncoder.WriteFrame(
            ProtocolTag.PaddedIntermediate, FrameDirection.ServerToClient, packet, padding, false, destination);

        Assert.Equal(14, written);
        Assert.Equal("0a0000000102030405060708" + "0a0b", Convert.ToHexStringLower(destination.AsSpan(0, written)));
    }

    [Fact]
    public void WriteFrame_DestinationTooShort_ThrowsBeforeWriting()
    {
        var destination = new byte[8];

        Assert.Throws<ArgumentException>(() => FrameEncoder.WriteFrame(
            ProtocolTag.Intermediate, FrameDirection.ClientToServer, new byte[8], [], false, destination));
        Assert.All(destination, b => Assert.Equal(0, b));
    }

    [Theory]
    [InlineData(ProtocolTag.Intermediate, "01000080")]
    [InlineData(ProtocolTag.Abridged, "80000001")]
    public void WriteQuickAckAnswer_TokenWithoutTopBit_SetsTopBit(ProtocolTag tag, string expected)
    {
        var destination = new byte[4];

        FrameEncoder.WriteQuickAckAnswer(tag, 1, destination);

        Assert.Equal(expected, Convert.ToHexStringLower(destination));
    }
}
