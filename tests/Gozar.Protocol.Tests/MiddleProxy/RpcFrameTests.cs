using Gozar.Protocol.MiddleProxy;

namespace Gozar.Protocol.Tests.MiddleProxy;

public class RpcFrameTests
{
    [Fact]
    public void Crc32C_CheckValue_IsTheCastagnoliOne()
    {
        Assert.Equal(0xE3069283u, RpcChecksums.Crc32C("123456789"u8));
        Assert.Equal(0xCBF43926u, RpcChecksums.Compute(RpcChecksum.Crc32, "123456789"u8));
    }

    [Theory]
    [InlineData(RpcChecksum.Crc32)]
    [InlineData(RpcChecksum.Crc32C)]
    public void TryRead_SealedFrame_RoundTrips(RpcChecksum checksum)
    {
        var frame = new byte[RpcFrame.GetPaddedLength(24)];
        frame.AsSpan(RpcFrame.HeaderLength, 24).Fill(7);
        var length = RpcFrame.Seal(frame, 24, 5, checksum);

        Assert.Equal(48, RpcFrame.Pad(frame, length));
        Assert.Equal(RpcFrameStatus.Frame, RpcFrame.TryRead(frame, 5, checksum, out var consumed, out var payload));
        Assert.Equal(36, consumed);
        Assert.Equal(24, payload);
        Assert.Equal(RpcFrameStatus.Padding, RpcFrame.TryRead(frame.AsSpan(consumed), 6, checksum, out var skip, out _));
        Assert.Equal(4, skip);
    }

    [Fact]
    public void TryRead_OtherChecksumKind_IsBadChecksum()
    {
        var frame = new byte[RpcFrame.Overhead + 4];
        var length = RpcFrame.Seal(frame, 4, 0, RpcChecksum.Crc32C);

        Assert.Equal(RpcFrameStatus.BadChecksum, RpcFrame.TryRead(frame.AsSpan(0, length), 0, RpcChecksum.Crc32, out _, out _));
    }

    [Fact]
    public void TryRead_WrongSequence_IsBadSequence()
    {
        var frame = new byte[RpcFrame.Overhead + 4];
        RpcFrame.Seal(frame, 4, 3, RpcChecksum.Crc32);

        Assert.Equal(RpcFrameStatus.BadSequence, RpcFrame.TryRead(frame, 2, RpcChecksum.Crc32, out _, out _));
    }

    [Theory]
    [InlineData(8)]
    [InlineData(13)]
    [InlineData((1 << 24) + 4)]
    public void TryRead_ImpossibleLength_IsBadLength(int length)
    {
        var frame = new byte[16];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(frame, length);

        Assert.Equal(RpcFrameStatus.BadLength, RpcFrame.TryRead(frame, 0, RpcChecksum.Crc32, out _, out _));
    }

    [Fact]
    public void TryRead_PartialFrame_SaysHowManyBytesItNeeds()
    {
        var frame = new byte[RpcFrame.Overhead + 8];
        RpcFrame.Seal(frame, 8, 0, RpcChecksum.Crc32);

        Assert.Equal(RpcFrameStatus.NeedMore, RpcFrame.TryRead(frame.AsSpan(0, 10), 0, RpcChecksum.Crc32, out var needed, out _));
        Assert.Equal(20, needed);
        Assert.Equal(RpcFrameStatus.NeedMore, RpcFrame.TryRead(frame.AsSpan(0, 2), 0, RpcChecksum.Crc32, out _, out _));
    }
}
