using Gozar.Protocol.Crypto;
using Gozar.Protocol.FakeTls;

namespace Gozar.Relay;

/// <summary>
/// Client to DC in fake-TLS mode (spec §5.7): strips record headers and ChangeCipherSpec records, re-encrypting each payload
/// run for the DC while moving it towards the start of the buffer.
/// </summary>
public sealed class TlsUnwrapProcessor : ChunkProcessor
{
    private readonly TlsRecordReader _reader;
    private readonly AesCtr _decrypt;
    private readonly AesCtr _encrypt;

    public TlsUnwrapProcessor(TlsRecordReader reader, AesCtr decrypt, AesCtr encrypt)
    {
        _reader = reader;
        _decrypt = decrypt;
        _encrypt = encrypt;
    }

    public override bool Process(Span<byte> buffer, int received, out int sendStart, out int sendLength)
    {
        var position = 0;
        var written = 0;
        sendStart = 0;
        while (position < received)
        {
            var status = _reader.ReadSegment(buffer[position..received], int.MaxValue, out var consumed, out var offset, out var length);
            if (status != TlsRecordStatus.Ok)
            {
                sendLength = written;
                return false;
            }

            if (consumed == 0)
            {
                break;
            }

            // The cipher pass itself moves the run down over the headers before it.
            AesCtr.TransformTwiceDown(_decrypt, _encrypt, buffer, position + offset, written, length);
            written += length;
            position += consumed;
        }

        sendLength = written;
        return true;
    }
}
