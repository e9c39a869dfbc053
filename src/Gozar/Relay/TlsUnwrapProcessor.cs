using Gozar.Protocol.Crypto;
using Gozar.Protocol.FakeTls;

namespace Gozar.Relay;

/// <summary>
/// Client to DC in fake-TLS mode (spec §5.7): strips record headers and ChangeCipherSpec records, moving each payload
/// run forward in the buffer, then re-encrypts it for the DC in the same place.
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

            // Moving the run down first keeps the cipher's input and output the same memory.
            var target = buffer.Slice(written, length);
            buffer.Slice(position + offset, length).CopyTo(target);
            AesCtr.TransformTwice(_decrypt, _encrypt, target, target);
            written += length;
            position += consumed;
        }

        sendLength = written;
        return true;
    }
}
