using BenchmarkDotNet.Attributes;
using Gozar.Protocol.Crypto;

namespace Gozar.Bench.Crypto;

[MemoryDiagnoser]
public class AesCtrBenchmarks
{
    private AesCtr _first = null!;
    private AesCtr _second = null!;
    private AesCtr _portable = null!;
    private byte[] _buffer = null!;

    // 64 KiB is what the relay hands the ciphers per chunk.
    [Params(16, 1024, 16384, 65536)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var key = new byte[AesCtr.KeySize];
        var iv = new byte[AesCtr.IvSize];
        for (var i = 0; i < key.Length; i++)
        {
            key[i] = (byte)i;
        }

        _first = new AesCtr(key, iv);
        key[0] ^= 1;
        _second = new AesCtr(key, iv);
        _portable = new AesCtr(key, iv, forcePortable: true);
        _buffer = new byte[Size];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _first.Dispose();
        _second.Dispose();
        _portable.Dispose();
    }

    [Benchmark(Baseline = true)]
    public void Transform() => _first.Transform(_buffer);

    [Benchmark]
    public void TransformPortable() => _portable.Transform(_buffer);

    [Benchmark]
    public void TransformTwice() => AesCtr.TransformTwice(_first, _second, _buffer, _buffer);

    [Benchmark]
    public void TransformThenTransform()
    {
        _first.Transform(_buffer);
        _second.Transform(_buffer);
    }
}

/// <summary>
/// The system libraries AesCtr hands bulk chunks to, on the same sizes: OpenSSL (EVP_aes_256_ctr; AES-NI 128 bits at
/// a time in OpenSSL 3.0, VAES only in libraries built with OpenSSL's newer VAES-512 CTR code) and libgcrypt (VAES with
/// 256-bit registers from 1.9, where the CPU has it).
/// </summary>
[MemoryDiagnoser]
public class NativeCtrBenchmarks
{
    private NativeCtr _cipher = null!;
    private byte[] _buffer = null!;

    [Params(16, 1024, 16384)]
    public int Size { get; set; }

    [Params("libcrypto", "libgcrypt")]
    public string Library { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        NativeCtr? cipher = Library == "libgcrypt" ? LibGcryptCtr.Create(new byte[32], 0) : LibCryptoCtr.Create(new byte[32], 0);
        _cipher = cipher ?? throw new InvalidOperationException($"This benchmark needs {Library} (libgcrypt 1.9+ with VAES).");
        _buffer = new byte[Size];
    }

    [GlobalCleanup]
    public void Cleanup() => _cipher.Dispose();

    [Benchmark]
    public void Transform() => _cipher.Transform(_buffer);
}

[MemoryDiagnoser]
public class X25519Benchmarks
{
    private const int BatchKeys = 16;

    private readonly byte[] _scalar = new byte[X25519.ScalarSize];
    private readonly byte[] _publicKey = new byte[X25519.PointSize];
    private readonly byte[] _candidates = new byte[2 * BatchKeys * X25519.PointSize];
    private readonly byte[] _batch = new byte[2 * BatchKeys * X25519.PointSize];

    [GlobalSetup]
    public void Setup()
    {
        for (var i = 0; i < _scalar.Length; i++)
        {
            _scalar[i] = (byte)(i + 1);
        }

        // The candidate must be on the curve for CreatePublicKey to measure the whole path.
        while (!X25519.TryCreatePublicKey(_scalar, _publicKey))
        {
            _scalar[0]++;
        }

        // Alternate on and off the curve, as random candidates come, from fixed random bytes.
        var random = new Random(25519);
        var candidate = new byte[X25519.PointSize];
        for (var i = 0; i < 2 * BatchKeys;)
        {
            random.NextBytes(candidate);
            if (X25519.TryCreatePublicKey(candidate, _publicKey) == (i % 2 == 0))
            {
                candidate.CopyTo(_candidates, i++ * X25519.PointSize);
            }
        }
    }

    /// <summary>The Legendre symbol of each of the sixteen candidates, as the key share tests them (per symbol).</summary>
    [Benchmark(OperationsPerInvoke = 2 * BatchKeys)]
    public int Legendre()
    {
        var sum = 0;
        for (var i = 0; i < 2 * BatchKeys; i++)
        {
            sum += Field25519Vartime.Legendre(Field25519.FromBytes(_candidates.AsSpan(i * X25519.PointSize, X25519.PointSize)));
        }

        return sum;
    }

    [Benchmark(Baseline = true)]
    public void PublicKeyFromPrivate() => X25519.PublicKeyFromPrivate(_scalar, _publicKey);

    /// <summary>One candidate on the curve (half of all random candidates are not; each costs its Legendre symbol).</summary>
    [Benchmark]
    public bool CreatePublicKey() => X25519.TryCreatePublicKey(_scalar, _publicKey);

    /// <summary>
    /// What the fake-TLS flight uses (KeyShareBatch), per key made: a batch of sixteen different candidates, eight of
    /// them on the curve, with one inversion.
    /// </summary>
    [Benchmark(OperationsPerInvoke = BatchKeys)]
    public int CreatePublicKeys() => X25519.CreatePublicKeys(_candidates, _batch);
}
