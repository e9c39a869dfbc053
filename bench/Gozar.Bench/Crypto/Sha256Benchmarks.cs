using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Gozar.Protocol.Crypto;

namespace Gozar.Bench.Crypto;

/// <summary>
/// SHA-256 over an obfuscated2 key's input (48 bytes, once per secret a client's init is tried against), a keyed
/// address hash (its key's pads hashed once) and a fake-TLS flight's HMAC (about 2.9 KB): ours (managed padding and
/// pads, whole blocks through libcrypto's block function) against .NET's one-shots and keyed HMAC context into
/// libcrypto, and the block function against the managed rounds.
/// </summary>
[MemoryDiagnoser]
public class Sha256Benchmarks
{
    private const int FlightLength = 2900;

    private readonly byte[] _input = new byte[48];
    private readonly byte[] _salt = new byte[32];
    private readonly byte[] _userKey = new byte[16];
    private readonly byte[] _address = new byte[4];
    private readonly byte[] _flight = new byte[FlightLength];
    private readonly byte[] _blocks = new byte[4096];
    private readonly byte[] _digest = new byte[Sha256.HashSize];
    private HmacSha256 _mac = null!;
    private HmacSha256 _userMac = null!;
    private IncrementalHash _systemUserMac = null!;

    [GlobalSetup]
    public void Setup()
    {
        _mac = new HmacSha256(_salt);
        _userMac = new HmacSha256(_userKey);
        _systemUserMac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _userKey);
    }

    [GlobalCleanup]
    public void Cleanup() => _systemUserMac.Dispose();

    [Benchmark(Baseline = true)]
    public byte System48()
    {
        SHA256.HashData(_input, _digest);
        return _digest[0];
    }

    [Benchmark]
    public byte Ours48()
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
    public byte OursHmacAddress()
    {
        _mac.Compute(_address, _digest);
        return _digest[0];
    }

    /// <summary>What the fake-TLS HMACs did before: a keyed context per user, appended to and reset per message.</summary>
    [Benchmark]
    public byte SystemHmacFlight()
    {
        _systemUserMac.AppendData(_flight);
        _systemUserMac.GetHashAndReset(_digest);
        return _digest[0];
    }

    [Benchmark]
    public byte OursHmacFlight()
    {
        _userMac.Compute(_flight, _digest);
        return _digest[0];
    }

    [Benchmark]
    public uint LibCryptoBlocks4KiB()
    {
        var state = default(Sha256.State);
        LibCryptoSha256.Compress(ref state, _blocks);
        return state.A;
    }

    [Benchmark]
    public uint ManagedRounds4KiB()
    {
        var state = default(Sha256.State);
        Sha256.CompressManaged(ref state, _blocks);
        return state.A;
    }
}
