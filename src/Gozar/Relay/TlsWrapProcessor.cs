using Gozar.Protocol.Crypto;
using Gozar.Protocol.FakeTls;

namespace Gozar.Relay;

/// <summary>
/// DC to client in fake-TLS mode: each receive takes at most one record's payload (16384 bytes) right after room for
/// the record header, so wrapping costs no copy; in fast mode there is no crypto at all (spec §4.3).
/// </summary>
public sealed class TlsWrapProcessor : ChunkProcessor
{
    private readonly AesCtr? _decrypt;
    private readonly AesCtr? _encrypt;

    public TlsWrapProcessor(AesCtr? decrypt, AesCtr? encrypt)
    {
        _decrypt = decrypt;
        _encrypt = encrypt;
    }

    public override int ReceiveOffset => TlsRecordWriter.HeaderLength;

    public override int? MaxReceive => TlsRecordWriter.MaxRecordPayload;

    public override bool Process(Span<byte> buffer, int received, out int sendStart, out int sendLength)
    {
        var payload = buffer.Slice(TlsRecordWriter.HeaderLength, received);
        if (_decrypt is not null && _encrypt is not null)
        {
            AesCtr.TransformTwice(_decrypt, _encrypt, payload, payload);
        }

        TlsRecordWriter.BeginRecord(received, buffer);
        sendStart = 0;
        sendLength = TlsRecordWriter.HeaderLength + received;
        return true;
    }
}
