namespace Gozar.Protocol.Framing;

/// <summary>
/// One step of <see cref="FrameDecoder"/>. The packet is
/// <c>buffer.Slice(HeaderLength, PacketLength)</c>; the frame, padding included, occupies the first
/// <see cref="FrameLength"/> bytes.
/// </summary>
/// <param name="Status">What was found.</param>
/// <param name="HeaderLength">1 or 4 once the header is known, else 0.</param>
/// <param name="PacketLength">Payload bytes; for padded intermediate <c>n &amp; ~3</c>. Zero for a quick-ack answer.</param>
/// <param name="FrameLength">
/// Bytes the frame occupies (<see cref="FrameStatus.Frame"/>, <see cref="FrameStatus.QuickAckAnswer"/>), or the
/// total bytes needed before decoding can go on (<see cref="FrameStatus.NeedMore"/>, always more than the buffer
/// holds). Zero when invalid.
/// </param>
/// <param name="QuickAck">The client asked for a quick-ack on this packet.</param>
/// <param name="QuickAckToken">The token of a quick-ack answer, top bit included.</param>
public readonly record struct DecodedFrame(
    FrameStatus Status,
    int HeaderLength,
    int PacketLength,
    int FrameLength,
    bool QuickAck,
    uint QuickAckToken)
{
    internal static DecodedFrame Invalid => new(FrameStatus.Invalid, 0, 0, 0, false, 0);

    internal static DecodedFrame NeedMore(int needed) => new(FrameStatus.NeedMore, 0, 0, needed, false, 0);
}
