using System.Buffers.Binary;

namespace Gozar.Protocol.FakeTls;

/// <summary>
/// Recognises a ClientHello that arrives as one or more consecutive <c>16 03 01</c> handshake records
/// (spec §5.1: DPI-evasion tools fragment it; mtg reassembles up to 10 records) and rewrites it into
/// the single-record form over which the client computed its HMAC (§5.3).
/// </summary>
/// <remarks>
/// Stateless: call it again with all bytes read so far whenever more arrive. A handshake message
/// header (type + 24-bit length) may itself be split across records.
/// </remarks>
public static class ClientHelloAssembler
{
    public const int MaxFragments = 10;

    /// <summary>The single-record form never exceeds this many bytes; size destinations accordingly.</summary>
    public const int MaxAssembledLength = ClientHello.MaxRecordLength;

    private const int HandshakeHeaderLength = 4;

    /// <summary>
    /// Examines <paramref name="input"/> (the client's first bytes).
    /// <list type="bullet">
    /// <item><see cref="ClientHelloStatus.Ok"/>: the hello is complete; its single-record form is in
    /// <c>destination[..written]</c> and it used <c>input[..consumed]</c>.</item>
    /// <item><see cref="ClientHelloStatus.NeedMoreData"/>: a valid prefix; at least <paramref name="needed"/>
    /// more bytes must arrive before anything new can be decided.</item>
    /// <item>Anything else: not a (well-formed) ClientHello; <paramref name="consumed"/> is 0.</item>
    /// </list>
    /// </summary>
    /// <param name="destination">At least <see cref="MaxAssembledLength"/> bytes.</param>
    public static ClientHelloStatus TryAssemble(
        ReadOnlySpan<byte> input,
        Span<byte> destination,
        out int consumed,
        out int written,
        out int needed)
    {
        if (destination.Length < MaxAssembledLength)
        {
            throw new ArgumentException("The destination must hold a maximum-size record.", nameof(destination));
        }

        consumed = 0;
        written = 0;
        var status = Scan(input, out var inputLength, out var messageLength, out needed);
        if (status != ClientHelloStatus.Ok)
        {
            return status;
        }

        var position = 0;
        var output = ClientHello.RecordHeaderLength;
        while (position < inputLength)
        {
            var fragmentLength = BinaryPrimitives.ReadUInt16BigEndian(input[(position + TlsWire.LengthOffset)..]);
            input.Slice(position + TlsWire.HeaderLength, fragmentLength).CopyTo(destination[output..]);
            output += fragmentLength;
            position += TlsWire.HeaderLength + fragmentLength;
        }

        TlsWire.WriteHeader(destination, TlsWire.Handshake, TlsWire.Version10, messageLength);
        consumed = inputLength;
        written = output;
        return ClientHelloStatus.Ok;
    }

    /// <summary>
    /// Walks the record headers without copying. On success <paramref name="inputLength"/> covers all
    /// fragments and <paramref name="messageLength"/> is the whole handshake message (header included).
    /// </summary>
    private static ClientHelloStatus Scan(
        ReadOnlySpan<byte> input,
        out int inputLength,
        out int messageLength,
        out int needed)
    {
        inputLength = 0;
        messageLength = 0;
        needed = 0;
        Span<byte> messageHeader = stackalloc byte[HandshakeHeaderLength];
        var headerBytes = 0;
        var gathered = 0;
        var position = 0;
        for (var fragment = 0; fragment < MaxFragments; fragment++)
        {
            var rest = input[position..];
            var headerStatus = ClientHello.CheckRecordHeader(rest, out var fragmentLength);
            if (headerStatus == ClientHelloStatus.NeedMoreData)
            {
                needed = ClientHello.RecordHeaderLength - rest.Length;
                return headerStatus;
            }

            if (headerStatus != ClientHelloStatus.Ok)
            {
                return fragment == 0 ? headerStatus : ClientHelloStatus.Malformed;
            }

            var available = Math.Min(fragmentLength, rest.Length - TlsWire.HeaderLength);
            var payload = rest.Slice(TlsWire.HeaderLength, available);
            var take = Math.Min(HandshakeHeaderLength - headerBytes, payload.Length);
            payload[..take].CopyTo(messageHeader[headerBytes..]);
            headerBytes += take;
            if (headerBytes > 0 && messageHeader[0] != TlsWire.HandshakeClientHello)
            {
                return ClientHelloStatus.NotClientHello;
            }

            if (headerBytes == HandshakeHeaderLength)
            {
                messageLength = HandshakeHeaderLength
                    + ((messageHeader[1] << 16) | (messageHeader[2] << 8) | messageHeader[3]);
                if (messageLength > ClientHello.MaxRecordPayload || gathered + fragmentLength > messageLength)
                {
                    return ClientHelloStatus.Malformed;
                }
            }

            if (available < fragmentLength)
            {
                needed = fragmentLength - available;
                return ClientHelloStatus.NeedMoreData;
            }

            gathered += fragmentLength;
            position += TlsWire.HeaderLength + fragmentLength;
            if (headerBytes == HandshakeHeaderLength && gathered == messageLength)
            {
                inputLength = position;
                return ClientHelloStatus.Ok;
            }
        }

        return ClientHelloStatus.Malformed;
    }
}
