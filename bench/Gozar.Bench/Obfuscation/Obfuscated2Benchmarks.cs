using BenchmarkDotNet.Attributes;
using Gozar.Protocol.Framing;
using Gozar.Protocol.Obfuscation;

namespace Gozar.Bench.Obfuscation;

/// <summary>
/// The proxy's check of a client's 64-byte init against its users' keys (spec §2.4): one SHA-256 and one AES key
/// schedule per key tried, then the second stream. The two ciphers it returns are the allocation.
/// </summary>
[MemoryDiagnoser]
public class Obfuscated2Benchmarks
{
    private readonly byte[] _wire = new byte[Obfuscated2.InitLength];
    private byte[][] _keys = null!;

    /// <summary>How many users the proxy has; the client's key is the last one tried.</summary>
    [Params(1, 16)]
    public int Users { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _keys = new byte[Users][];
        for (var i = 0; i < Users; i++)
        {
            _keys[i] = new byte[16];
            _keys[i][0] = (byte)(i + 1);
        }

        var random = new byte[Obfuscated2.InitLength];
        new Random(7).NextBytes(random);
        var streams = Obfuscated2.CreateInit(random, _keys[^1], ProtocolTag.PaddedIntermediate, 2, _wire);
        streams.Encryptor.Dispose();
        streams.Decryptor.Dispose();
    }

    [Benchmark]
    public int TryAcceptClient()
    {
        Obfuscated2.TryAcceptClient(_wire, _keys, out var init);
        init.Decryptor.Dispose();
        init.Encryptor?.Dispose();
        return init.KeyIndex;
    }
}
