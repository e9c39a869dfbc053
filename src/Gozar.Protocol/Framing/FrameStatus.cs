namespace Gozar.Protocol.Framing;

public enum FrameStatus
{
    /// <summary>The buffer ends before the header or the frame does; <see cref="DecodedFrame.FrameLength"/> says how many bytes are needed.</summary>
    NeedMore,

    /// <summary>A whole frame is in the buffer.</summary>
    Frame,

    /// <summary>A server's 4-byte quick-ack answer (server-to-client only); the token is in <see cref="DecodedFrame.QuickAckToken"/>.</summary>
    QuickAckAnswer,

    /// <summary>The header breaks the length rules of spec §3.3; the stream cannot be resynchronised.</summary>
    Invalid,
}
