namespace Gozar.Protocol.FakeTls;

/// <summary>
/// Unwraps the client's tunnel records after the handshake (spec §5.7): concatenates ApplicationData
/// (0x17) payloads, skips ChangeCipherSpec records (exactly <c>14 03 03 00 01 01</c>) wherever they
/// appear, and fails on alerts, unknown types, versions other than <c>03 03</c> and payloads over
/// 16384 + 256. Input may be cut anywhere, record headers included. One instance per connection.
/// </summary>
/// <remarks>
/// Only <c>03 03</c> is accepted: tdlib and Telegram Desktop use it on every record after the hello,
/// and no client is known to send <c>03 01</c> there. After a failure the reader stays failed.
/// </remarks>
public sealed class TlsRecordReader
{
    /// <summary>Largest accepted payload per record (TLS ciphertext limit, 2^14 + 256).</summary>
    public const int MaxAcceptedRecordPayload = TlsWire.MaxCiphertextLength;

    private const byte ChangeCipherSpecPayload = 0x01;

    // Header bytes are shifted in one at a time so a header split across chunks needs no buffer.
    private ulong _header;
    private int _headerFilled;
    private byte _recordType;
    private int _remaining;
    private TlsRecordStatus _failure = TlsRecordStatus.Ok;

    /// <summary>True between records: no partial header or payload is pending.</summary>
    public bool IsAtRecordBoundary => _headerFilled == 0 && _remaining == 0;

    /// <summary>
    /// Copies tunnel payload from <paramref name="input"/> into <paramref name="payloadOut"/> until the
    /// input is used up or the output is full. Bytes produced before a failure are valid tunnel data.
    /// </summary>
    public TlsRecordStatus Read(ReadOnlySpan<byte> input, Span<byte> payloadOut, out int consumed, out int produced)
    {
        consumed = 0;
        produced = 0;
        while (true)
        {
            var status = ReadSegment(
                input[consumed..], payloadOut.Length - produced, out var used, out var offset, out var length);
            input.Slice(consumed + offset, length).CopyTo(payloadOut[produced..]);
            consumed += used;
            produced += length;
            if (status != TlsRecordStatus.Ok || used == 0)
            {
                return status;
            }
        }
    }

    /// <summary>
    /// Zero-copy form: advances over headers and ChangeCipherSpec records and locates the next run of
    /// payload bytes, <c>input.Slice(payloadOffset, payloadLength)</c> (at most <paramref name="maxPayload"/>
    /// bytes, within one record), so the caller can decrypt from the input straight into its output.
    /// <paramref name="consumed"/> includes that run. Returns with <paramref name="consumed"/> 0 once no
    /// progress is possible (input exhausted, or payload pending and <paramref name="maxPayload"/> is 0).
    /// </summary>
    public TlsRecordStatus ReadSegment(
        ReadOnlySpan<byte> input,
        int maxPayload,
        out int consumed,
        out int payloadOffset,
        out int payloadLength)
    {
        consumed = 0;
        payloadOffset = 0;
        payloadLength = 0;
        if (_failure != TlsRecordStatus.Ok)
        {
            return _failure;
        }

        var position = 0;
        while (position < input.Length)
        {
            if (_remaining > 0)
            {
                if (_recordType == TlsWire.ApplicationData)
                {
                    var length = Math.Min(Math.Min(_remaining, input.Length - position), maxPayload);
                    if (length > 0)
                    {
                        _remaining -= length;
                        payloadOffset = position;
                        payloadLength = length;
                        position += length;
                    }

                    break;
                }

                if (input[position++] != ChangeCipherSpecPayload)
                {
                    return Fail(TlsRecordStatus.BadChangeCipherSpec, position, out consumed);
                }

                _remaining = 0;
                continue;
            }

            _header = (_header << 8) | input[position++];
            if (++_headerFilled < TlsWire.HeaderLength)
            {
                continue;
            }

            var status = StartRecord(
                type: (byte)(_header >> 32),
                version: (ushort)(_header >> 16),
                length: (ushort)_header);
            _header = 0;
            _headerFilled = 0;
            if (status != TlsRecordStatus.Ok)
            {
                return Fail(status, position, out consumed);
            }
        }

        consumed = position;
        return TlsRecordStatus.Ok;
    }

    private TlsRecordStatus StartRecord(byte type, ushort version, int length)
    {
        if (type == TlsWire.Alert)
        {
            return TlsRecordStatus.Alert;
        }

        if (type is not (TlsWire.ApplicationData or TlsWire.ChangeCipherSpec))
        {
            return TlsRecordStatus.UnexpectedRecordType;
        }

        if (version != TlsWire.Version12)
        {
            return TlsRecordStatus.BadVersion;
        }

        if (length > MaxAcceptedRecordPayload)
        {
            return TlsRecordStatus.RecordTooLong;
        }

        if (type == TlsWire.ChangeCipherSpec && length != 1)
        {
            return TlsRecordStatus.BadChangeCipherSpec;
        }

        _recordType = type;
        _remaining = length;
        return TlsRecordStatus.Ok;
    }

    private TlsRecordStatus Fail(TlsRecordStatus status, int position, out int consumed)
    {
        _failure = status;
        consumed = position;
        return status;
    }
}
