using BenchmarkDotNet.Attributes;
using Gozar.Protocol.Framing;

namespace Gozar.Bench.Framing;

/// <summary>Encoding and decoding one frame of each framing (spec §3): header arithmetic, no copies of the packet.</summary>
[MemoryDiagnoser]
public class FramingBenchmarks
{
    private readonly byte[] _packet = new byte[1024];
    private readonly byte[] _frame = new byte[1024 + 16];
    private int _length;

    [Params(ProtocolTag.Abridged, ProtocolTag.Intermediate, ProtocolTag.PaddedIntermediate)]
    public ProtocolTag Tag { get; set; }

    [GlobalSetup]
    public void Setup() =>
        _length = FrameEncoder.WriteFrame(Tag, FrameDirection.ClientToServer, _packet, [], quickAck: false, _frame);

    [Benchmark]
    public int Encode() => FrameEncoder.WriteFrame(Tag, FrameDirection.ClientToServer, _packet, [], quickAck: false, _frame);

    [Benchmark]
    public int Decode() => FrameDecoder.Decode(Tag, FrameDirection.ClientToServer, _frame.AsSpan(0, _length)).PacketLength;
}
