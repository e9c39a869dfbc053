namespace Gozar.Protocol.FakeTls;

/// <summary>
/// Wraps the proxy-to-client tunnel stream into ApplicationData records <c>17 03 03 len payload</c>
/// (spec §5.7). Never more than 16384 payload bytes per record: tdlib rejects larger records.
/// </summary>
/// <remarks>
/// To transform payload straight into place (e.g. encrypt), loop:
/// <code>
/// while (remaining > 0)
/// {
///     var n = TlsRecordWriter.BeginRecord(remaining, destination[written..]);
///     cipher.Transform(source.Slice(read, n), destination.Slice(written + HeaderLength, n));
///     written += HeaderLength + n; read += n; remaining -= n;
/// }
/// </code>
/// </remarks>
public static class TlsRecordWriter
{
    public const int MaxRecordPayload = TlsWire.MaxPlaintextLength;
    public const int HeaderLength = TlsWire.HeaderLength;

    /// <summary>Bytes needed to wrap <paramref name="payloadLength"/> bytes (0 for 0: no empty records).</summary>
    public static int GetWrappedLength(int payloadLength) => GetWrappedLength(payloadLength, MaxRecordPayload);

    public static int GetWrappedLength(int payloadLength, int maxRecordPayload)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(payloadLength);
        CheckMaxRecordPayload(maxRecordPayload);
        var records = (payloadLength + maxRecordPayload - 1) / maxRecordPayload;
        return payloadLength + (records * HeaderLength);
    }

    /// <summary>
    /// Writes the header of the next record for a stream with <paramref name="remainingPayload"/> bytes
    /// left into <c>destination[..5]</c> and returns how many payload bytes belong at
    /// <c>destination[5..]</c>.
    /// </summary>
    public static int BeginRecord(int remainingPayload, Span<byte> destination) =>
        BeginRecord(remainingPayload, MaxRecordPayload, destination);

    /// <param name="maxRecordPayload">1..16384; smaller values shape record sizes.</param>
    public static int BeginRecord(int remainingPayload, int maxRecordPayload, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(remainingPayload);
        CheckMaxRecordPayload(maxRecordPayload);
        var length = Math.Min(remainingPayload, maxRecordPayload);
        TlsWire.WriteHeader(destination, TlsWire.ApplicationData, TlsWire.Version12, length);
        return length;
    }

    /// <summary>Copies <paramref name="payload"/> into records; returns the bytes written.</summary>
    /// <remarks>
    /// The payload may already lie in <paramref name="destination"/> at
    /// <c>GetWrappedLength(n) - n</c> (the tail of the wrapped form): each record's bytes then move
    /// only towards the start, never over payload not yet moved.
    /// </remarks>
    public static int Wrap(ReadOnlySpan<byte> payload, Span<byte> destination) =>
        Wrap(payload, MaxRecordPayload, destination);

    public static int Wrap(ReadOnlySpan<byte> payload, int maxRecordPayload, Span<byte> destination)
    {
        var total = GetWrappedLength(payload.Length, maxRecordPayload);
        if (destination.Length < total)
        {
            throw new ArgumentException("The destination is too small for the wrapped payload.", nameof(destination));
        }

        var read = 0;
        var written = 0;
        while (read < payload.Length)
        {
            var length = Math.Min(payload.Length - read, maxRecordPayload);
            payload.Slice(read, length).CopyTo(destination[(written + HeaderLength)..]);
            TlsWire.WriteHeader(destination[written..], TlsWire.ApplicationData, TlsWire.Version12, length);
            read += length;
            written += HeaderLength + length;
        }

        return written;
    }

    private static void CheckMaxRecordPayload(int maxRecordPayload)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRecordPayload);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxRecordPayload, MaxRecordPayload);
    }
}
