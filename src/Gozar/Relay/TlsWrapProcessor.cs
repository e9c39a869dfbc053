using Gozar.Protocol.Crypto;
using Gozar.Protocol.FakeTls;

namespace Gozar.Relay;

/// <summary>
/// DC to client in fake-TLS mode (spec §5.7): one receive fills the buffer with as much payload as fits once every
/// 16384 bytes gets its 5-byte record header, and the records go out in one send. In fast mode there is no crypto at
/// all (spec §4.3).
/// </summary>
/// <remarks>
/// Payload lands right after room for the first header; before sending, the payload of each later record moves up by
/// the headers in front of it (about 48 KiB moved per 64 KiB buffer). Receiving one record per read instead took four
/// receives and four sends per 64 KiB where a plain relay takes one of each, and the syscalls cost more than the move.
/// </remarks>
public sealed class TlsWrapProcessor : ChunkProcessor
{
    private const int RecordSize = TlsRecordWriter.HeaderLength + TlsRecordWriter.MaxRecordPayload;

    private readonly AesCtr? _decrypt;
    private readonly AesCtr? _encrypt;

    public TlsWrapProcessor(AesCtr? decrypt, AesCtr? encrypt)
    {
        _decrypt = decrypt;
        _encrypt = encrypt;
    }

    public override int ReceiveOffset => TlsRecordWriter.HeaderLength;

    /// <summary>Most payload whose records, headers included, fit in <paramref name="capacity"/> + the first header.</summary>
    public override int MaxReceive(int capacity)
    {
        var space = capacity + TlsRecordWriter.HeaderLength;
        var fullRecords = space / RecordSize;
        var partial = Math.Max(0, (space % RecordSize) - TlsRecordWriter.HeaderLength);
        return (fullRecords * TlsRecordWriter.MaxRecordPayload) + partial;
    }

    public override void Rest()
    {
        _decrypt?.Rest();
        _encrypt?.Rest();
    }

    public override bool Process(Span<byte> buffer, int received, out int sendStart, out int sendLength)
    {
        var payload = buffer.Slice(TlsRecordWriter.HeaderLength, received);
        if (_decrypt is not null && _encrypt is not null)
        {
            AesCtr.TransformTwice(_decrypt, _encrypt, payload, payload);
        }

        // From the last record down, so a move never overwrites payload that has not moved yet.
        var records = (received + TlsRecordWriter.MaxRecordPayload - 1) / TlsRecordWriter.MaxRecordPayload;
        for (var i = records - 1; i >= 0; i--)
        {
            var from = i * TlsRecordWriter.MaxRecordPayload;
            var length = Math.Min(received - from, TlsRecordWriter.MaxRecordPayload);
            var at = i * RecordSize;
            if (i > 0)
            {
                buffer.Slice(TlsRecordWriter.HeaderLength + from, length).CopyTo(buffer[(at + TlsRecordWriter.HeaderLength)..]);
            }

            TlsRecordWriter.BeginRecord(length, buffer[at..]);
        }

        sendStart = 0;
        sendLength = received + (records * TlsRecordWriter.HeaderLength);
        return true;
    }
}
