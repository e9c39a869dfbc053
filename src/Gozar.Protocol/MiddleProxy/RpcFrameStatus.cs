namespace Gozar.Protocol.MiddleProxy;

public enum RpcFrameStatus
{
    /// <summary>The buffer ends inside the frame; <c>consumed</c> says how many bytes the frame needs in all.</summary>
    NeedMore,

    /// <summary>A 4-byte padding word (<c>04 00 00 00</c>): skip it.</summary>
    Padding,

    /// <summary>A whole frame with the right sequence number and CRC.</summary>
    Frame,

    /// <summary>The length is below 12, not a multiple of 4, or above 2^24.</summary>
    BadLength,

    /// <summary>The sequence number is not the one expected next.</summary>
    BadSequence,

    /// <summary>The CRC does not match.</summary>
    BadChecksum,
}
