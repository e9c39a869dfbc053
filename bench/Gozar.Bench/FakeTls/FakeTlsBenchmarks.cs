using BenchmarkDotNet.Attributes;
using Gozar.Protocol.Crypto;
using Gozar.Protocol.FakeTls;

namespace Gozar.Bench.FakeTls;

/// <summary>
/// The proxy's side of a fake-TLS handshake (spec §5.3, §5.6): validating a 517-byte ClientHello (one HMAC-SHA256
/// per key tried) and building the server flight (HMAC-SHA256 over the flight, plus the X25519 key it carries).
/// </summary>
[MemoryDiagnoser]
public class FakeTlsBenchmarks
{
    private const string Domain = "bench.example";
    private const int ApplicationDataLength = 2500;
    private static readonly string[] Domains = [Domain];

    private readonly byte[] _flight = new byte[ServerHelloFlight.GetLength(ApplicationDataLength)];
    private readonly byte[] _applicationData = new byte[ApplicationDataLength];
    private readonly byte[] _scalar = new byte[X25519.ScalarSize];
    private readonly byte[] _publicKey = new byte[X25519.PointSize];
    private byte[][] _keys = null!;
    private byte[] _hello = null!;
    private byte[] _clientRandom = null!;
    private byte[] _sessionId = null!;
    private long _now;

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

        _now = 1_800_000_000;
        var entropy = new byte[ClientHelloBuilder.GetEntropyLength(ClientHelloShape.Classic)];
        new Random(3).NextBytes(entropy);
        _hello = new byte[ClientHelloBuilder.GetLength(ClientHelloShape.Classic, Domain.Length, entropy)];
        ClientHelloBuilder.Build(_keys[^1], Domain, _now, entropy, ClientHelloShape.Classic, _hello);
        _clientRandom = _hello.AsSpan(ClientHello.RandomOffset, ClientHello.RandomLength).ToArray();
        _sessionId = new byte[32];
        _scalar[0] = 9;
    }

    [Benchmark]
    public int ValidateHello() =>
        ClientHelloValidator.Validate(_hello, _keys, _now, new ClockSkewWindow(TimeSpan.FromMinutes(20), TimeSpan.FromMinutes(10), false), Domains).KeyIndex;

    [Benchmark]
    public int BuildFlight() =>
        ServerHelloFlight.Build(_keys[^1], _clientRandom, _sessionId, 0x1301, _publicKey, _applicationData, _flight);

    [Benchmark]
    public void X25519PublicKey() => X25519.PublicKeyFromPrivate(_scalar, _publicKey);
}
