using Gozar.Protocol.Framing;

namespace Gozar.Protocol.Tests.Framing;

/// <summary>Every row of spec §8.7, encoded and decoded.</summary>
public class FrameVectorTests
{
    private const int LargestAbridged = 0xffffff * 4;

    public static TheoryData<ProtocolTag, int, int, bool, string> Headers { get; } = new()
    {
        { ProtocolTag.Abridged, 8, 0, false, "02" },
        { ProtocolTag.Abridged, 8, 0, true, "82" },
        { ProtocolTag.Abridged, 504, 0, false, "7e" },
        { ProtocolTag.Abridged, 508, 0, false, "7f7f0000" },
        { ProtocolTag.Abridged, 1024, 0, false, "7f000100" },
        { ProtocolTag.Abridged, 1024, 0, true, "ff000100" },
        { ProtocolTag.Abridged, LargestAbridged, 0, false, "7fffffff" },
        { ProtocolTag.Intermediate, 8, 0, false, "08000000" },
        { ProtocolTag.Intermediate, 8, 0, true, "08000080" },
        { ProtocolTag.Intermediate, 1024, 0, false, "00040000" },
        { ProtocolTag.PaddedIntermediate, 16, 3, false, "13000000" },
    };

    [Theory]
    [MemberData(nameof(Headers))]
    public void WriteHeader_SpecRow_GivesSpecBytes(
        ProtocolTag tag, int packetLength, int padding, bool quickAck, string expected)
    {
        var destination = new byte[FrameEncoder.MaxHeaderLength];

        var written = FrameEncoder.WriteHeader(
            tag, FrameDirection.ClientToServer, packetLength, padding, quickAck, destination);

        Assert.Equal(expected, Convert.ToHexStringLower(destination.AsSpan(0, written)));
        Assert.Equal(written, FrameEncoder.GetHeaderLength(tag, packetLength));
    }

    [Theory]
    [MemberData(nameof(Headers))]
    public void Decode_SpecRowHeader_GivesLengthsAndQuickAck(
        ProtocolTag tag, int packetLength, int padding, bool quickAck, string header)
    {
        var bytes = Convert.FromHexString(header);

        var frame = FrameDecoder.Decode(tag, FrameDirection.ClientToServer, bytes, maxPacketLength: 0x3fffffff);

        // Only the header is there, so the decoder asks for the rest of the frame.
        Assert.Equal(FrameStatus.NeedMore, frame.Status);
        Assert.Equal(bytes.Length, frame.HeaderLength);
        Assert.Equal(packetLength, frame.PacketLength);
        Assert.Equal(bytes.Length + packetLength + padding, frame.FrameLength);
        Assert.Equal(quickAck, frame.QuickAck);
    }

    [Fact]
    public void Decode_PaddedSixteenPlusThree_KeepsSixteen()
    {
        var bytes = new byte[4 + 19];
        Convert.FromHexString("13000000").CopyTo(bytes, 0);

        var frame = FrameDecoder.Decode(ProtocolTag.PaddedIntermediate, FrameDirection.ServerToClient, bytes);

        Assert.Equal(new DecodedFrame(FrameStatus.Frame, 4, 16, 23, false, 0), frame);
    }

    [Theory]
    [InlineData(ProtocolTag.Intermediate, "6d7c8b9a")]
    [InlineData(ProtocolTag.PaddedIntermediate, "6d7c8b9a")]
    [InlineData(ProtocolTag.Abridged, "9a8b7c6d")]
    public void WriteQuickAckAnswer_SpecToken_GivesSpecBytes(ProtocolTag tag, string expected)
    {
        var destination = new byte[4];

        var written = FrameEncoder.WriteQuickAckAnswer(tag, 0x9a8b7c6d, destination);

        Assert.Equal(4, written);
        Assert.Equal(expected, Convert.ToHexStringLower(destination));
    }

    [Theory]
    [InlineData(ProtocolTag.Intermediate, "6d7c8b9a")]
    [InlineData(ProtocolTag.PaddedIntermediate, "6d7c8b9a")]
    [InlineData(ProtocolTag.Abridged, "9a8b7c6d")]
    public void Decode_SpecQuickAckAnswerFromServer_GivesToken(ProtocolTag tag, string bytes)
    {
        var frame = FrameDecoder.Decode(tag, FrameDirection.ServerToClient, Convert.FromHexString(bytes));

        Assert.Equal(FrameStatus.QuickAckAnswer, frame.Status);
        Assert.Equal(0x9a8b7c6du, frame.QuickAckToken);
        Assert.Equal(4, frame.FrameLength);
        Assert.Equal(0, frame.PacketLength);
    }
}
