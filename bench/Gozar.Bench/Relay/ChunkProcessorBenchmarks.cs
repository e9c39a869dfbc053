using BenchmarkDotNet.Attributes;
using Gozar.Protocol.Crypto;
using Gozar.Protocol.FakeTls;
using Gozar.Relay;

namespace Gozar.Bench.Relay;

/// <summary>
/// What the relay does to one received chunk, per processor: re-encrypt (obfuscated2), unwrap client records of 2878
/// bytes as tdlib writes them, wrap one 16 KiB record with or without re-encryption (fast mode). Must allocate nothing.
/// </summary>
[MemoryDiagnoser]
public class ChunkProcessorBenchmarks
{
    private const int ClientRecordPayload = 2878;

    private readonly byte[] _buffer = new byte[64 * 1024 + TlsRecordWriter.HeaderLength];
    private readonly byte[] _records = new byte[64 * 1024];
    private AesCtr _first = null!;
    private AesCtr _second = null!;
    private ObfuscatedProcessor _obfuscated = null!;
    private TlsUnwrapProcessor _unwrap = null!;
    private TlsWrapProcessor _wrap = null!;
    private TlsWrapProcessor _fastWrap = null!;
    private int _recordBytes;

    /// <summary>Bytes per chunk: one client record burst of 16 KiB, or a full 64 KiB relay buffer.</summary>
    [Params(16 * 1024, 64 * 1024)]
    public int Chunk { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var key = new byte[AesCtr.KeySize];
        var iv = new byte[AesCtr.IvSize];
        _first = new AesCtr(key, iv);
        key[0] = 1;
        _second = new AesCtr(key, iv);
        _obfuscated = new ObfuscatedProcessor(_first, _second);
        _unwrap = new TlsUnwrapProcessor(new TlsRecordReader(), _first, _second);
        _wrap = new TlsWrapProcessor(_first, _second);
        _fastWrap = new TlsWrapProcessor(null, null);
        while (_recordBytes + TlsRecordWriter.HeaderLength + ClientRecordPayload <= Chunk)
        {
            TlsRecordWriter.BeginRecord(ClientRecordPayload, ClientRecordPayload, _records.AsSpan(_recordBytes));
            _recordBytes += TlsRecordWriter.HeaderLength + ClientRecordPayload;
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _first.Dispose();
        _second.Dispose();
    }

    [Benchmark]
    public int Obfuscated()
    {
        _obfuscated.Process(_buffer, Chunk, out _, out var length);
        return length;
    }

    /// <summary>Includes copying the records into the buffer, since unwrapping consumes them.</summary>
    [Benchmark]
    public int TlsUnwrap()
    {
        _records.AsSpan(0, _recordBytes).CopyTo(_buffer);
        _unwrap.Process(_buffer, _recordBytes, out _, out var length);
        return length;
    }

    [Benchmark]
    public int TlsWrap()
    {
        _wrap.Process(_buffer, Math.Min(Chunk, _wrap.MaxReceive(_buffer.Length - _wrap.ReceiveOffset)), out _, out var length);
        return length;
    }

    [Benchmark]
    public int TlsWrapFastMode()
    {
        _fastWrap.Process(_buffer, Math.Min(Chunk, _fastWrap.MaxReceive(_buffer.Length - _fastWrap.ReceiveOffset)), out _, out var length);
        return length;
    }
}
