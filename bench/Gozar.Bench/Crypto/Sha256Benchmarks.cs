using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Gozar.Protocol.Crypto;

namespace Gozar.Bench.Crypto;

/// <summary>
/// SHA-256 over an obfuscated2 key's input (48 bytes, once per secret a client's init is tried against) and over a
/// keyed address hash (its key's pads hashed once): the managed code against .NET's one-shots into libcrypto.
/// </summary>
[MemoryDiagnoser]
public class Sha256Benchmarks
{
    private readonly byte[] _input = new byte[48];
    private readonly byte[] _salt = new byte[32];
    private readonly byte[] _address = new byte[4];
    private readonly byte[] _digest = new byte[Sha256.HashSize];
    private HmacSha256 _mac = null!;

    [GlobalSetup]
    public void Setup() => _mac = new HmacSha256(_salt);

    [Benchmark(Baseline = true)]
    public byte System48()
    {
        SHA256.HashData(_input, _digest);
        return _digest[0];
    }

    [Benchmark]
    public byte Managed48()
    {
        Sha256.HashData(_input, _digest);
        return _digest[0];
    }

    [Benchmark]
    public byte SystemHmacAddress()
    {
        HMACSHA256.HashData(_salt, _address, _digest);
        return _digest[0];
    }

    [Benchmark]
    public byte ManagedHmacAddress()
    {
        _mac.Compute(_address, _digest);
        return _digest[0];
    }
}
