using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Gozar.Protocol.Crypto;
using Gozar.Protocol.FakeTls;
using Gozar.Protocol.Framing;
using Gozar.Protocol.MiddleProxy;
using Gozar.Relay;
using Gozar.Upstream.Middle;

namespace Gozar.Bench.MiddleProxy;

/// <summary>
/// The per-packet work of the middle-proxy RPC path (spec §7.2, §7.5, §7.6), in the order MiddleRelay and MeConnection
/// do it, with the same pool. Client to ME: unwrap the fake-TLS record, AES-CTR decrypt, decode the client's frame,
/// build RPC_PROXY_REQ in a pooled buffer, seal (sequence, CRC32C), pad and CBC-encrypt. ME to client: CBC decrypt,
/// read and check the frame, read RPC_PROXY_ANS, queue it on a real <see cref="MiddleClientLink"/>, frame it the
/// client's way, AES-CTR encrypt, wrap in a record. Each direction also runs the peer's cipher (the client's CTR
/// encryption, the ME's CBC encryption and sealing) so the bytes decode every time; must allocate nothing.
/// </summary>
[MemoryDiagnoser]
public class RpcPathBenchmarks
{
    private const long ConnId = 0x1122334455667788;

    private readonly byte[] _clientAddress = new byte[ProxyRequest.AddressLength];
    private readonly byte[] _proxyAddress = new byte[ProxyRequest.AddressLength];
    private byte[] _clientPlain = null!;
    private byte[] _clientWire = null!;
    private byte[] _answerPlain = null!;
    private byte[] _meWire = null!;
    private AesCtr _clientEncrypt = null!;
    private AesCtr _proxyDecrypt = null!;
    private AesCtr _proxyEncrypt = null!;
    private CbcStream _meEncrypt = null!;
    private CbcStream _proxyCbcDecrypt = null!;
    private CbcStream _proxyCbcEncrypt = null!;
    private TlsRecordReader _records = null!;
    private MiddleClientLink _link = null!;
    private int _clientFrameLength;
    private int _sendSequence;
    private int _receiveSequence;

    [Params(128, 4096)]
    public int Packet { get; set; }

    [Params(ProtocolTag.Abridged, ProtocolTag.Intermediate, ProtocolTag.PaddedIntermediate)]
    public ProtocolTag Tag { get; set; }

    [Params(false, true)]
    public bool FakeTls { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var packet = RandomNumberGenerator.GetBytes(Packet);
        packet[0] |= 1;
        _clientPlain = new byte[FrameEncoder.MaxHeaderLength + Packet + FrameEncoder.MaxClientPadding];
        _clientFrameLength = FrameEncoder.WriteFrame(Tag, FrameDirection.ClientToServer, packet, new byte[Tag == ProtocolTag.PaddedIntermediate ? 3 : 0], false, _clientPlain);
        _clientWire = new byte[TlsRecordWriter.HeaderLength + _clientPlain.Length];

        _answerPlain = new byte[RpcFrame.GetPaddedLength(RpcControl.ProxyAnswerHeaderLength + Packet)];
        RpcControl.WriteProxyAnswerHeader(_answerPlain.AsSpan(RpcFrame.HeaderLength), 0, ConnId);
        packet.CopyTo(_answerPlain, RpcFrame.HeaderLength + RpcControl.ProxyAnswerHeaderLength);
        _meWire = new byte[_answerPlain.Length];

        var key = RandomNumberGenerator.GetBytes(AesCtr.KeySize);
        var iv = RandomNumberGenerator.GetBytes(AesCtr.IvSize);
        _clientEncrypt = new AesCtr(key, iv);
        _proxyDecrypt = new AesCtr(key, iv);
        _proxyEncrypt = new AesCtr(RandomNumberGenerator.GetBytes(AesCtr.KeySize), iv);
        _meEncrypt = CbcStream.CreateEncryptor(key, iv);
        _proxyCbcDecrypt = CbcStream.CreateDecryptor(key, iv);
        _proxyCbcEncrypt = CbcStream.CreateEncryptor(key, iv);
        _records = new TlsRecordReader();
        _link = new MiddleClientLink(ConnId, int.MaxValue, BufferPool.Shared);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _clientEncrypt.Dispose();
        _proxyDecrypt.Dispose();
        _proxyEncrypt.Dispose();
        _meEncrypt.Dispose();
        _proxyCbcDecrypt.Dispose();
        _proxyCbcEncrypt.Dispose();
    }

    /// <summary>One client packet to an encrypted RPC_PROXY_REQ frame ready for the ME socket.</summary>
    [Benchmark]
    public int ClientToMiddleEnd()
    {
        // What arrives: the client's encrypted frame, in one record for fake TLS.
        var offset = FakeTls ? TlsRecordWriter.HeaderLength : 0;
        _clientEncrypt.Transform(_clientPlain.AsSpan(0, _clientFrameLength), _clientWire.AsSpan(offset));
        var received = offset + _clientFrameLength;
        if (FakeTls)
        {
            TlsRecordWriter.BeginRecord(_clientFrameLength, _clientWire);
            received = Unwrap(_clientWire.AsSpan(0, received));
        }

        _proxyDecrypt.Transform(_clientWire.AsSpan(0, received));
        var frame = FrameDecoder.Decode(Tag, FrameDirection.ClientToServer, _clientWire.AsSpan(0, received), FrameDecoder.DefaultMaxPacketLength);
        var clientPacket = _clientWire.AsSpan(frame.HeaderLength, frame.PacketLength);

        var payloadLength = ProxyRequest.HeaderLength + clientPacket.Length;
        var request = BufferPool.Shared.Rent(RpcFrame.GetPaddedLength(payloadLength));
        var payload = request.AsSpan(RpcFrame.HeaderLength);
        var flags = ProxyRequest.GetFlags(Tag, frame.QuickAck, clientPacket, hasAdTag: false);
        var header = ProxyRequest.WriteHeader(payload, flags, ConnId, _clientAddress, 443, _proxyAddress, 8443, default);
        clientPacket.CopyTo(payload[header..]);
        var length = RpcFrame.Pad(request, RpcFrame.Seal(request, payloadLength, _sendSequence++, RpcChecksum.Crc32C));
        _proxyCbcEncrypt.Transform(request, 0, length);
        BufferPool.Shared.Return(request);
        return length;
    }

    /// <summary>One encrypted RPC_PROXY_ANS frame from the ME socket to the client's encrypted (and wrapped) frame.</summary>
    [Benchmark]
    public int MiddleEndToClient()
    {
        // What arrives: the ME's sealed, encrypted frame.
        var sealedLength = RpcFrame.Seal(_answerPlain, RpcControl.ProxyAnswerHeaderLength + Packet, _receiveSequence, RpcChecksum.Crc32C);
        var wireLength = RpcFrame.Pad(_answerPlain, sealedLength);
        _answerPlain.AsSpan(0, wireLength).CopyTo(_meWire);
        _meEncrypt.Transform(_meWire, 0, wireLength);

        _proxyCbcDecrypt.Transform(_meWire, 0, wireLength);
        RpcFrame.TryRead(_meWire.AsSpan(0, wireLength), _receiveSequence++, RpcChecksum.Crc32C, out _, out var payloadLength);
        var payload = _meWire.AsSpan(RpcFrame.HeaderLength, payloadLength);
        RpcControl.TryReadProxyAnswer(payload, out _, out _);
        _link.TryEnqueuePacket(payload[RpcControl.ProxyAnswerHeaderLength..]);

        _link.Answers.TryRead(out var answer);
        var buffer = answer.Buffer!;
        var padding = Tag == ProtocolTag.PaddedIntermediate ? 3 : 0;
        var headerLength = FrameEncoder.GetHeaderLength(Tag, answer.Length);
        var start = MiddleClientLink.PacketOffset - headerLength;
        FrameEncoder.WriteHeader(Tag, FrameDirection.ServerToClient, answer.Length, padding, quickAck: false, buffer.AsSpan(start));
        var total = headerLength + answer.Length + padding;
        _proxyEncrypt.Transform(buffer.AsSpan(start, total));
        if (FakeTls)
        {
            TlsRecordWriter.BeginRecord(total, buffer.AsSpan(start - TlsRecordWriter.HeaderLength));
            total += TlsRecordWriter.HeaderLength;
        }

        _link.Release(answer);
        return total;
    }

    /// <summary>As MiddleRelay.Unwrap: record payloads moved down in place.</summary>
    private int Unwrap(Span<byte> received)
    {
        var position = 0;
        var written = 0;
        while (position < received.Length)
        {
            _records.ReadSegment(received[position..], int.MaxValue, out var consumed, out var offset, out var length);
            if (consumed == 0)
            {
                break;
            }

            received.Slice(position + offset, length).CopyTo(received[written..]);
            written += length;
            position += consumed;
        }

        return written;
    }
}
