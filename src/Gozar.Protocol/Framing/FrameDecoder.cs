using System.Buffers.Binary;

namespace Gozar.Protocol.Framing;

/// <summary>
/// Reads one transport frame from the front of a buffer (spec §3; layout in <see cref="FrameLayout"/>). Never throws
/// on input bytes: every byte sequence yields a frame, a quick-ack answer, a request for more bytes, or Invalid.
/// </summary>
public static class FrameDecoder
{
    /// <summary>
    /// 16 MiB, as mtprotoproxy allows. Real MTProto packets stay near 1 MiB (512 KiB file parts plus overhead);
    /// the bound is what a peer can make us buffer before the packet is even complete.
    /// </summary>
    public const int DefaultMaxPacketLength = 16 * 1024 * 1024;

    /// <param name="tag">The framing announced in the obfuscated2 init.</param>
    /// <param name="direction">Who sent the bytes; decides whether a top bit is a quick-ack request or an answer.</param>
    /// <param name="buffer">Bytes received so far, starting at a frame boundary.</param>
    /// <param name="maxPacketLength">
    /// Largest length field accepted (packet plus padding), 4 up to 2^30-1; larger frames are Invalid.
    /// </param>
    public static DecodedFrame Decode(
        ProtocolTag tag,
        FrameDirection direction,
        ReadOnlySpan<byte> buffer,
        int maxPacketLength = DefaultMaxPacketLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPacketLength, FrameLayout.WordSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxPacketLength, FrameLayout.MaxIntermediateLength);
        return tag switch
        {
            ProtocolTag.Abridged => DecodeAbridged(direction, buffer, maxPacketLength),
            ProtocolTag.Intermediate => DecodeIntermediate(direction, buffer, maxPacketLength, padded: false),
            ProtocolTag.PaddedIntermediate => DecodeIntermediate(direction, buffer, maxPacketLength, padded: true),
            _ => throw new ArgumentOutOfRangeException(nameof(tag)),
        };
    }

    private static DecodedFrame DecodeAbridged(FrameDirection direction, ReadOnlySpan<byte> buffer, int maxPacketLength)
    {
        if (buffer.IsEmpty)
        {
            return DecodedFrame.NeedMore(FrameLayout.ShortHeaderLength);
        }

        var first = buffer[0];
        var topBit = (first & FrameLayout.AbridgedQuickAckBit) != 0;
        if (topBit && direction == FrameDirection.ServerToClient)
        {
            return buffer.Length < FrameLayout.QuickAckAnswerLength
                ? DecodedFrame.NeedMore(FrameLayout.QuickAckAnswerLength)
                : QuickAckAnswer(BinaryPrimitives.ReadUInt32BigEndian(buffer));
        }

        var words = first & ~FrameLayout.AbridgedQuickAckBit;
        var headerLength = FrameLayout.ShortHeaderLength;
        if (words == FrameLayout.AbridgedLongMarker)
        {
            if (buffer.Length < FrameLayout.LongHeaderLength)
            {
                return DecodedFrame.NeedMore(FrameLayout.LongHeaderLength);
            }

            words = buffer[1] | (buffer[2] << 8) | (buffer[3] << 16);
            if (words < FrameLayout.AbridgedLongMarker)
            {
                // Overlong form: the official server refuses it, and it has no honest use.
                return DecodedFrame.Invalid;
            }

            headerLength = FrameLayout.LongHeaderLength;
        }

        if (words == 0 || words > maxPacketLength / FrameLayout.WordSize)
        {
            return DecodedFrame.Invalid;
        }

        var length = words * FrameLayout.WordSize;
        return Body(buffer, headerLength, length, length, topBit);
    }

    private static DecodedFrame DecodeIntermediate(
        FrameDirection direction, ReadOnlySpan<byte> buffer, int maxPacketLength, bool padded)
    {
        if (buffer.Length < FrameLayout.LongHeaderLength)
        {
            return DecodedFrame.NeedMore(FrameLayout.LongHeaderLength);
        }

        var raw = BinaryPrimitives.ReadUInt32LittleEndian(buffer);
        var topBit = (raw & FrameLayout.QuickAckBit) != 0;
        if (topBit && direction == FrameDirection.ServerToClient)
        {
            return QuickAckAnswer(raw);
        }

        var length = raw & ~FrameLayout.QuickAckBit;
        if ((length & FrameLayout.ReservedLengthBit) != 0 || length > (uint)maxPacketLength)
        {
            return DecodedFrame.Invalid;
        }

        // A padded frame under 4 bytes would carry an empty packet; unpadded lengths are whole words.
        var bad = padded ? length < FrameLayout.WordSize : length == 0 || length % FrameLayout.WordSize != 0;
        if (bad)
        {
            return DecodedFrame.Invalid;
        }

        var bodyLength = (int)length;
        var packetLength = padded ? bodyLength & ~(FrameLayout.WordSize - 1) : bodyLength;
        return Body(buffer, FrameLayout.LongHeaderLength, packetLength, bodyLength, topBit);
    }

    private static DecodedFrame Body(
        ReadOnlySpan<byte> buffer, int headerLength, int packetLength, int bodyLength, bool quickAck)
    {
        var frameLength = headerLength + bodyLength;
        var status = buffer.Length >= frameLength ? FrameStatus.Frame : FrameStatus.NeedMore;
        return new DecodedFrame(status, headerLength, packetLength, frameLength, quickAck, 0);
    }

    private static DecodedFrame QuickAckAnswer(uint token) =>
        new(FrameStatus.QuickAckAnswer, FrameLayout.QuickAckAnswerLength, 0, FrameLayout.QuickAckAnswerLength, false, token);
}
