using System.Buffers.Binary;

namespace Gozar.Protocol.Framing;

/// <summary>
/// Writes transport frames (spec §3; layout in <see cref="FrameLayout"/>). Padding bytes and their count come from
/// the caller, who owns the randomness. Arguments outside the protocol are bugs and throw.
/// </summary>
public static class FrameEncoder
{
    public const int MaxHeaderLength = FrameLayout.LongHeaderLength;

    /// <summary>tdlib pads with <c>random % 16</c> bytes.</summary>
    public const int MaxClientPadding = 15;

    /// <summary>The receiver keeps <c>n &amp; ~3</c>, so a server must pad below 4 bytes (spec §3.3).</summary>
    public const int MaxServerPadding = 3;

    public static int GetHeaderLength(ProtocolTag tag, int packetLength) =>
        tag == ProtocolTag.Abridged && packetLength / FrameLayout.WordSize < FrameLayout.AbridgedLongMarker
            ? FrameLayout.ShortHeaderLength
            : FrameLayout.LongHeaderLength;

    /// <summary>Writes the header for a packet of <paramref name="packetLength"/> bytes followed by <paramref name="paddingLength"/> padding bytes.</summary>
    /// <returns>Header bytes written (1 or 4).</returns>
    public static int WriteHeader(
        ProtocolTag tag, FrameDirection direction, int packetLength, int paddingLength, bool quickAck, Span<byte> destination)
    {
        if (packetLength <= 0 || packetLength % FrameLayout.WordSize != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(packetLength), "Packets are a positive multiple of 4 bytes.");
        }

        if (quickAck && direction == FrameDirection.ServerToClient)
        {
            throw new ArgumentException("Only a client requests quick-acks.", nameof(quickAck));
        }

        CheckPadding(tag, direction, paddingLength);
        var headerLength = GetHeaderLength(tag, packetLength);
        if (destination.Length < headerLength)
        {
            throw new ArgumentException("Destination is shorter than the header.", nameof(destination));
        }

        if (tag == ProtocolTag.Abridged)
        {
            return WriteAbridgedHeader(packetLength, quickAck, destination);
        }

        if (packetLength > FrameLayout.MaxIntermediateLength - paddingLength)
        {
            throw new ArgumentOutOfRangeException(nameof(packetLength), "Length does not fit 30 bits.");
        }

        var length = (uint)(packetLength + paddingLength);
        if (quickAck)
        {
            length |= FrameLayout.QuickAckBit;
        }

        BinaryPrimitives.WriteUInt32LittleEndian(destination, length);
        return FrameLayout.LongHeaderLength;
    }

    /// <summary>Writes header, packet and padding.</summary>
    /// <returns>Bytes written.</returns>
    public static int WriteFrame(
        ProtocolTag tag,
        FrameDirection direction,
        ReadOnlySpan<byte> packet,
        ReadOnlySpan<byte> padding,
        bool quickAck,
        Span<byte> destination)
    {
        var total = GetHeaderLength(tag, packet.Length) + packet.Length + padding.Length;
        if (destination.Length < total)
        {
            throw new ArgumentException("Destination is shorter than the frame.", nameof(destination));
        }

        var written = WriteHeader(tag, direction, packet.Length, padding.Length, quickAck, destination);
        packet.CopyTo(destination[written..]);
        written += packet.Length;
        padding.CopyTo(destination[written..]);
        return written + padding.Length;
    }

    /// <summary>
    /// Writes a server's quick-ack answer: the bare token, big-endian for abridged, little-endian otherwise
    /// (spec §3.1, §3.2). Bit 31 is set on the wire whatever the caller passes, since it is what tells the
    /// answer apart from a length.
    /// </summary>
    /// <returns>Bytes written (4).</returns>
    public static int WriteQuickAckAnswer(ProtocolTag tag, uint token, Span<byte> destination)
    {
        CheckTag(tag);
        if (destination.Length < FrameLayout.QuickAckAnswerLength)
        {
            throw new ArgumentException("Destination is shorter than 4 bytes.", nameof(destination));
        }

        token |= FrameLayout.QuickAckBit;
        if (tag == ProtocolTag.Abridged)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination, token);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(destination, token);
        }

        return FrameLayout.QuickAckAnswerLength;
    }

    private static int WriteAbridgedHeader(int packetLength, bool quickAck, Span<byte> destination)
    {
        var words = packetLength / FrameLayout.WordSize;
        if (words > FrameLayout.AbridgedMaxWords)
        {
            throw new ArgumentOutOfRangeException(nameof(packetLength), "Abridged packets hold at most 2^24-1 words.");
        }

        var quickAckBit = quickAck ? FrameLayout.AbridgedQuickAckBit : (byte)0;
        if (words < FrameLayout.AbridgedLongMarker)
        {
            destination[0] = (byte)(words | quickAckBit);
            return FrameLayout.ShortHeaderLength;
        }

        destination[0] = (byte)(FrameLayout.AbridgedLongMarker | quickAckBit);
        destination[1] = (byte)words;
        destination[2] = (byte)(words >> 8);
        destination[3] = (byte)(words >> 16);
        return FrameLayout.LongHeaderLength;
    }

    private static void CheckPadding(ProtocolTag tag, FrameDirection direction, int paddingLength)
    {
        CheckTag(tag);
        var max = tag != ProtocolTag.PaddedIntermediate ? 0
            : direction == FrameDirection.ClientToServer ? MaxClientPadding
            : MaxServerPadding;
        if (paddingLength < 0 || paddingLength > max)
        {
            throw new ArgumentOutOfRangeException(nameof(paddingLength), $"Padding must be 0..{max} bytes here.");
        }
    }

    private static void CheckTag(ProtocolTag tag)
    {
        if (tag is not (ProtocolTag.Abridged or ProtocolTag.Intermediate or ProtocolTag.PaddedIntermediate))
        {
            throw new ArgumentOutOfRangeException(nameof(tag));
        }
    }
}
