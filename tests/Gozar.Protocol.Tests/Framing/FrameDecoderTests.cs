using Gozar.Protocol.Framing;

namespace Gozar.Protocol.Tests.Framing;

public class FrameDecoderTests
{
    [Theory]
    [InlineData(ProtocolTag.Abridged, 1)]
    [InlineData(ProtocolTag.Intermediate, 4)]
    [InlineData(ProtocolTag.PaddedIntermediate, 4)]
    public void Decode_EmptyBuffer_AsksForHeader(ProtocolTag tag, int needed)
    {
        var frame = FrameDecoder.Decode(tag, FrameDirection.ClientToServer, []);

        Assert.Equal(DecodedFrame.NeedMore(needed), frame);
    }

    [Theory]
    [InlineData("7f")]
    [InlineData("7f0001")]
    [InlineData("ff00")]
    public void Decode_AbridgedPartialLongHeader_AsksFor4(string bytes)
    {
        var frame = FrameDecoder.Decode(ProtocolTag.Abridged, FrameDirection.ClientToServer, Convert.FromHexString(bytes));

        Assert.Equal(DecodedFrame.NeedMore(4), frame);
    }

    [Fact]
    public void Decode_AbridgedServerQuickAckFirstByteOnly_AsksFor4()
    {
        var frame = FrameDecoder.Decode(ProtocolTag.Abridged, FrameDirection.ServerToClient, [0x82]);

        Assert.Equal(DecodedFrame.NeedMore(4), frame);
    }

    [Fact]
    public void Decode_WholeIntermediateFrame_IsFrameWithPacketBounds()
    {
        byte[] bytes = [0x08, 0, 0, 0x80, 1, 2, 3, 4, 5, 6, 7, 8, 0x99];

        var frame = FrameDecoder.Decode(ProtocolTag.Intermediate, FrameDirection.ClientToServer, bytes);

        Assert.Equal(new DecodedFrame(FrameStatus.Frame, 4, 8, 12, true, 0), frame);
    }

    [Fact]
    public void Decode_ClientPadding4To15_KeepsLengthRoundedDown()
    {
        // A client's 8-byte packet with 13 padding bytes: the receiver keeps 20 bytes, 12 of them junk (spec §3.3).
        var bytes = new byte[4 + 21];
        bytes[0] = 21;

        var frame = FrameDecoder.Decode(ProtocolTag.PaddedIntermediate, FrameDirection.ClientToServer, bytes);

        Assert.Equal(new DecodedFrame(FrameStatus.Frame, 4, 20, 25, false, 0), frame);
    }

    [Theory]
    [InlineData(ProtocolTag.Abridged, "00")] // zero length
    [InlineData(ProtocolTag.Abridged, "80")] // zero length with quick-ack
    [InlineData(ProtocolTag.Abridged, "7f7e0000")] // overlong: 126 words in the long form
    [InlineData(ProtocolTag.Abridged, "7f000000")]
    [InlineData(ProtocolTag.Abridged, "ff7e0000")]
    [InlineData(ProtocolTag.Intermediate, "00000000")] // zero length
    [InlineData(ProtocolTag.Intermediate, "00000080")] // zero length with quick-ack
    [InlineData(ProtocolTag.Intermediate, "06000000")] // not a multiple of 4
    [InlineData(ProtocolTag.Intermediate, "08000040")] // bit 30 set
    [InlineData(ProtocolTag.Intermediate, "080000c0")] // bits 30 and 31 set
    [InlineData(ProtocolTag.PaddedIntermediate, "03000000")] // padding only
    [InlineData(ProtocolTag.PaddedIntermediate, "08000040")]
    public void Decode_BadLength_IsInvalid(ProtocolTag tag, string header)
    {
        var frame = FrameDecoder.Decode(tag, FrameDirection.ClientToServer, Convert.FromHexString(header));

        Assert.Equal(FrameStatus.Invalid, frame.Status);
    }

    [Theory]
    [InlineData(ProtocolTag.Intermediate, "06000000")]
    [InlineData(ProtocolTag.Intermediate, "08000040")]
    [InlineData(ProtocolTag.Abridged, "7f050000")]
    public void Decode_BadLengthFromServer_IsInvalid(ProtocolTag tag, string header)
    {
        var frame = FrameDecoder.Decode(tag, FrameDirection.ServerToClient, Convert.FromHexString(header));

        Assert.Equal(FrameStatus.Invalid, frame.Status);
    }

    [Fact]
    public void Decode_PaddedOddLength_IsAccepted()
    {
        var frame = FrameDecoder.Decode(ProtocolTag.PaddedIntermediate, FrameDirection.ClientToServer, [5, 0, 0, 0]);

        Assert.Equal(new DecodedFrame(FrameStatus.NeedMore, 4, 4, 9, false, 0), frame);
    }

    [Theory]
    [InlineData(ProtocolTag.Abridged, "7f010004")] // 2^18 + 1 words
    [InlineData(ProtocolTag.Intermediate, "04001000")]
    [InlineData(ProtocolTag.PaddedIntermediate, "04001000")]
    public void Decode_LengthOverMax_IsInvalid(ProtocolTag tag, string header)
    {
        const int max = 1 << 20;
        var bytes = Convert.FromHexString(header);

        Assert.Equal(FrameStatus.Invalid, FrameDecoder.Decode(tag, FrameDirection.ClientToServer, bytes, max).Status);
        Assert.Equal(FrameStatus.NeedMore, FrameDecoder.Decode(tag, FrameDirection.ClientToServer, bytes, max + 4).Status);
    }

    [Fact]
    public void Decode_DefaultMax_Is16MiB()
    {
        byte[] atMax = [0x00, 0x00, 0x00, 0x01];
        byte[] overMax = [0x04, 0x00, 0x00, 0x01];

        Assert.Equal(FrameStatus.NeedMore, FrameDecoder.Decode(ProtocolTag.Intermediate, FrameDirection.ClientToServer, atMax).Status);
        Assert.Equal(FrameStatus.Invalid, FrameDecoder.Decode(ProtocolTag.Intermediate, FrameDirection.ClientToServer, overMax).Status);
    }

    [Theory]
    [InlineData(ProtocolTag.Abridged, "ff000100")]
    [InlineData(ProtocolTag.Abridged, "82")]
    [InlineData(ProtocolTag.Intermediate, "08000080")]
    public void Decode_TopBitFromClient_IsQuickAckRequest(ProtocolTag tag, string header)
    {
        var frame = FrameDecoder.Decode(tag, FrameDirection.ClientToServer, Convert.FromHexString(header));

        Assert.Equal(FrameStatus.NeedMore, frame.Status);
        Assert.True(frame.QuickAck);
    }

    [Fact]
    public void Decode_QuickAckAnswerFollowedByFrame_ConsumesOnlyFourBytes()
    {
        byte[] bytes = [0x6d, 0x7c, 0x8b, 0x9a, 0x04, 0, 0, 0, 1, 2, 3, 4];

        var answer = FrameDecoder.Decode(ProtocolTag.PaddedIntermediate, FrameDirection.ServerToClient, bytes);
        var next = FrameDecoder.Decode(ProtocolTag.PaddedIntermediate, FrameDirection.ServerToClient, bytes.AsSpan(answer.FrameLength));

        Assert.Equal(FrameStatus.QuickAckAnswer, answer.Status);
        Assert.Equal(new DecodedFrame(FrameStatus.Frame, 4, 4, 8, false, 0), next);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(0x40000000)]
    public void Decode_MaxOutOfRange_Throws(int max)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            FrameDecoder.Decode(ProtocolTag.Intermediate, FrameDirection.ClientToServer, [], max));
    }

    [Fact]
    public void Decode_UnknownTag_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            FrameDecoder.Decode((ProtocolTag)0, FrameDirection.ClientToServer, [1, 2, 3, 4]));
    }
}
