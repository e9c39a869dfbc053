using System.Buffers.Binary;

namespace Gozar.Protocol.MiddleProxy;

/// <summary>
/// RPC frames between the proxy and a middle-end, the same before and after encryption (spec §7.2):
/// <code>
/// 0        4        8                 end-4    end
/// | length | seq    | payload (4k)    | crc    |      length = 12 + payload, crc over [0, end-4)
/// </code>
/// A length of exactly 4 is a padding word; once encryption is on every write is padded with them to 16 bytes.
/// Sequence numbers per direction: nonce -2, handshake -1, then 0, 1, 2, ...
/// </summary>
public static class RpcFrame
{
    public const int HeaderLength = 8;
    public const int ChecksumLength = 4;
    public const int Overhead = HeaderLength + ChecksumLength;
    public const int MaxLength = 1 << 24;
    public const int BlockSize = 16;
    public const int NonceSequence = -2;
    public const int HandshakeSequence = -1;

    private const int LengthOffset = 0;
    private const int SequenceOffset = 4;
    private const int PaddingWord = 4;

    /// <summary>Most payload bytes a frame can carry.</summary>
    public const int MaxPayloadLength = MaxLength - Overhead;

    /// <summary>Room a frame of <paramref name="payloadLength"/> bytes needs with its padding to a whole block.</summary>
    public static int GetPaddedLength(int payloadLength) => RoundUpToBlock(payloadLength + Overhead);

    /// <summary>
    /// Writes length, sequence number and CRC around a payload already at <c>frame[8..8+payloadLength]</c>.
    /// </summary>
    /// <returns>The frame's length (without padding).</returns>
    public static int Seal(Span<byte> frame, int payloadLength, int sequence, RpcChecksum checksum)
    {
        if (payloadLength < 0 || payloadLength % PaddingWord != 0 || payloadLength > MaxPayloadLength)
        {
            throw new ArgumentOutOfRangeException(nameof(payloadLength), "Payloads are 0..2^24-12 bytes in whole words.");
        }

        var length = payloadLength + Overhead;
        BinaryPrimitives.WriteInt32LittleEndian(frame[LengthOffset..], length);
        BinaryPrimitives.WriteInt32LittleEndian(frame[SequenceOffset..], sequence);
        var crc = RpcChecksums.Compute(checksum, frame[..(length - ChecksumLength)]);
        BinaryPrimitives.WriteUInt32LittleEndian(frame[(length - ChecksumLength)..], crc);
        return length;
    }

    /// <summary>Appends padding words after <paramref name="length"/> bytes up to a multiple of 16.</summary>
    /// <returns>The padded length.</returns>
    public static int Pad(Span<byte> destination, int length)
    {
        var padded = RoundUpToBlock(length);
        for (var at = length; at < padded; at += PaddingWord)
        {
            BinaryPrimitives.WriteInt32LittleEndian(destination[at..], PaddingWord);
        }

        return padded;
    }

    /// <summary>Reads the frame or padding word at the start of <paramref name="buffer"/> (plaintext).</summary>
    /// <param name="consumed">Bytes the frame or padding word occupies; for NeedMore the total needed.</param>
    public static RpcFrameStatus TryRead(
        ReadOnlySpan<byte> buffer, int expectedSequence, RpcChecksum checksum, out int consumed, out int payloadLength)
    {
        payloadLength = 0;
        consumed = PaddingWord;
        if (buffer.Length < PaddingWord)
        {
            return RpcFrameStatus.NeedMore;
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(buffer);
        if (length == PaddingWord)
        {
            return RpcFrameStatus.Padding;
        }

        if (length < Overhead || length % PaddingWord != 0 || length > MaxLength)
        {
            consumed = 0;
            return RpcFrameStatus.BadLength;
        }

        consumed = length;
        if (buffer.Length < length)
        {
            return RpcFrameStatus.NeedMore;
        }

        if (BinaryPrimitives.ReadInt32LittleEndian(buffer[SequenceOffset..]) != expectedSequence)
        {
            return RpcFrameStatus.BadSequence;
        }

        var expected = BinaryPrimitives.ReadUInt32LittleEndian(buffer[(length - ChecksumLength)..]);
        if (RpcChecksums.Compute(checksum, buffer[..(length - ChecksumLength)]) != expected)
        {
            return RpcFrameStatus.BadChecksum;
        }

        payloadLength = length - Overhead;
        return RpcFrameStatus.Frame;
    }

    private static int RoundUpToBlock(int length) => (length + BlockSize - 1) / BlockSize * BlockSize;
}
