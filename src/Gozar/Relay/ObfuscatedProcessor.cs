using Gozar.Protocol.Crypto;

namespace Gozar.Relay;

/// <summary>
/// Re-encrypts obfuscated2 bytes in place: decrypt with one leg's stream, encrypt with the other's (spec §4.2).
/// Either stream may be absent (fast mode: the DC's stream already is the client's).
/// </summary>
public sealed class ObfuscatedProcessor : ChunkProcessor
{
    private readonly AesCtr? _decrypt;
    private readonly AesCtr? _encrypt;

    public ObfuscatedProcessor(AesCtr? decrypt, AesCtr? encrypt)
    {
        _decrypt = decrypt;
        _encrypt = encrypt;
    }

    public override void Rest()
    {
        _decrypt?.Rest();
        _encrypt?.Rest();
    }

    public override bool Process(Span<byte> buffer, int received, out int sendStart, out int sendLength)
    {
        Transform(buffer[..received]);
        sendStart = 0;
        sendLength = received;
        return true;
    }

    public void Transform(Span<byte> data)
    {
        if (_decrypt is not null && _encrypt is not null)
        {
            AesCtr.TransformTwice(_decrypt, _encrypt, data, data);
        }
        else
        {
            _decrypt?.Transform(data);
            _encrypt?.Transform(data);
        }
    }
}
