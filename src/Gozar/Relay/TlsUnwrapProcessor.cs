using Gozar.Protocol.Crypto;
using Gozar.Protocol.FakeTls;

namespace Gozar.Relay;

/// <summary>
/// Client to DC in fake-TLS mode (spec §5.7): strips record headers and ChangeCipherSpec records, moving every payload
/// run of a receive down to the start of the buffer, then re-encrypts them for the DC in one pass.
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

    public override void Rest()
    {
        _decrypt.Rest();
        _encrypt.Rest();
    }

    public override bool Process(Span<byte> buffer, int received, out int sendStart, out int sendLength)
    {
        var position = 0;
        var written = 0;
        var valid = true;
        while (position < received)
        {
            var status = _reader.ReadSegment(buffer[position..received], int.MaxValue, out var consumed, out var offset, out var length);
            if (status != TlsRecordStatus.Ok)
            {
                valid = false;
                break;
            }

            if (consumed == 0)
            {
                break;
            }

            // Apps write records of about 2.9 KB: one cipher pass over the whole receive instead of one per record
            // (each a pair of libcrypto calls in bulk) costs this copy of a few KB, which stays in cache.
            if (position + offset != written)
            {
                buffer.Slice(position + offset, length).CopyTo(buffer[written..]);
            }

            written += length;
            position += consumed;
        }

        var payload = buffer[..written];
        AesCtr.TransformTwice(_decrypt, _encrypt, payload, payload);
        sendStart = 0;
        sendLength = written;
        return valid;
    }
}
