using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Gozar.Protocol.MiddleProxy;

namespace Gozar.Load.Dc;

/// <summary>
/// A middle-end for allocation checks: the server side of spec §7.3 (nonce, keys, handshake granting CRC32C) on one
/// loopback connection, then every RPC_PROXY_REQ answered with an RPC_PROXY_ANS carrying the same packet. After the
/// handshake it runs on its own thread with blocking sockets and fixed buffers, so it allocates nothing: every byte
/// the process allocates while packets flow is charged to the proxy side.
/// </summary>
public sealed class QuietMiddleEnd : IDisposable
{
    private const int BufferBytes = 1 << 20;
    private const int FlagsOffset = 4;
    private const int ConnIdOffset = 8;

    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly byte[] _secret;
    private readonly byte[] _receive = new byte[BufferBytes];
    private readonly byte[] _send = new byte[BufferBytes];
    private Socket? _socket;
    private Thread? _thread;
    private CbcStream? _encrypt;
    private CbcStream? _decrypt;
    private int _count;
    private int _decrypted;

    public QuietMiddleEnd(byte[] secret)
    {
        _secret = secret;
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(1);
        EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>Accepts the proxy's connection and serves it on a thread of its own.</summary>
    public void Start()
    {
        _thread = new Thread(Serve) { IsBackground = true, Name = "quiet-me" };
        _thread.Start();
    }

    private void Serve()
    {
        try
        {
            _socket = _listener.Accept();
            _socket.NoDelay = true;
            Handshake(_socket);
            Relay(_socket);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidDataException)
        {
        }
    }

    private void Handshake(Socket socket)
    {
        var nonce = ReadFrame(socket, RpcFrame.NonceSequence, RpcChecksum.Crc32);
        if (RpcNonce.Read(nonce, _secret, out var proxyTime, out var clientNonceSpan) != RpcNonceStatus.Ok)
        {
            throw new InvalidDataException("bad nonce");
        }

        var clientNonce = clientNonceSpan.ToArray();
        var serverNonce = RandomNumberGenerator.GetBytes(RpcNonce.NonceLength);
        var answer = new byte[RpcFrame.Overhead + RpcNonce.Length];
        RpcNonce.Write(answer.AsSpan(RpcFrame.HeaderLength), _secret, proxyTime, serverNonce);
        socket.Send(answer.AsSpan(0, RpcFrame.Seal(answer, RpcNonce.Length, RpcFrame.NonceSequence, RpcChecksum.Crc32)));

        var local = (IPEndPoint)socket.LocalEndPoint!;
        var remote = (IPEndPoint)socket.RemoteEndPoint!;
        var input = new MiddleKeyInput
        {
            ServerNonce = serverNonce,
            ClientNonce = clientNonce,
            CryptoTime = proxyTime,
            ServerAddress = local.Address.GetAddressBytes(),
            ServerPort = (ushort)local.Port,
            ClientAddress = remote.Address.GetAddressBytes(),
            ClientPort = (ushort)remote.Port,
            Secret = _secret,
        };
        var key = new byte[MiddleKeyDerivation.KeyLength];
        var iv = new byte[MiddleKeyDerivation.IvLength];
        MiddleKeyDerivation.Derive(input, MiddlePurpose.Server, key, iv);
        _encrypt = CbcStream.CreateEncryptor(key, iv);
        MiddleKeyDerivation.Derive(input, MiddlePurpose.Client, key, iv);
        _decrypt = CbcStream.CreateDecryptor(key, iv);
        DecryptReceived();

        var handshake = ReadFrame(socket, RpcFrame.HandshakeSequence, RpcChecksum.Crc32);
        if (RpcHandshake.Read(handshake, out _, out var proxyPid, out _, out _) != RpcHandshakeStatus.Ok)
        {
            throw new InvalidDataException("bad handshake");
        }

        var reply = new byte[RpcFrame.GetPaddedLength(RpcHandshake.Length)];
        RpcHandshake.Write(reply.AsSpan(RpcFrame.HeaderLength), RpcHandshake.Crc32CFlag, new RpcProcessId(0, (ushort)local.Port, 1, 1), proxyPid);
        var length = RpcFrame.Pad(reply, RpcFrame.Seal(reply, RpcHandshake.Length, RpcFrame.HandshakeSequence, RpcChecksum.Crc32));
        _encrypt.Transform(reply, 0, length);
        socket.Send(reply.AsSpan(0, length));
    }

    /// <summary>One frame during the handshake (allocating is fine there).</summary>
    private byte[] ReadFrame(Socket socket, int sequence, RpcChecksum checksum)
    {
        while (true)
        {
            var status = RpcFrame.TryRead(_receive.AsSpan(0, _decrypted), sequence, checksum, out var consumed, out var payloadLength);
            if (status == RpcFrameStatus.Frame)
            {
                var payload = _receive.AsSpan(RpcFrame.HeaderLength, payloadLength).ToArray();
                Consume(consumed);
                return payload;
            }

            if (status == RpcFrameStatus.Padding)
            {
                Consume(consumed);
                continue;
            }

            if (status != RpcFrameStatus.NeedMore)
            {
                throw new InvalidDataException($"handshake frame: {status}");
            }

            Receive(socket);
        }
    }

    /// <summary>Echoes every request's packet back as an answer; everything else (RPC_CLOSE_CONN at the end) is skipped.</summary>
    private void Relay(Socket socket)
    {
        var receiveSequence = 0;
        var sendSequence = 0;
        while (true)
        {
            var position = 0;
            var queued = 0;
            while (true)
            {
                var status = RpcFrame.TryRead(
                    _receive.AsSpan(position, _decrypted - position), receiveSequence, RpcChecksum.Crc32C, out var consumed, out var payloadLength);
                if (status == RpcFrameStatus.Padding)
                {
                    position += consumed;
                    continue;
                }

                if (status == RpcFrameStatus.NeedMore)
                {
                    break;
                }

                if (status != RpcFrameStatus.Frame)
                {
                    throw new InvalidDataException($"frame {receiveSequence}: {status}");
                }

                receiveSequence++;
                var payload = _receive.AsSpan(position + RpcFrame.HeaderLength, payloadLength);
                if (RpcPacketType.Of(payload) == RpcPacketType.ProxyRequest)
                {
                    if (queued + RpcFrame.GetPaddedLength(RpcControl.ProxyAnswerHeaderLength + payloadLength) > _send.Length)
                    {
                        socket.Send(_send.AsSpan(0, queued));
                        queued = 0;
                    }

                    queued += Answer(payload, sendSequence++, queued);
                }

                position += consumed;
            }

            if (queued > 0)
            {
                socket.Send(_send.AsSpan(0, queued));
            }

            Consume(position);
            if (Receive(socket) == 0)
            {
                return;
            }
        }
    }

    /// <summary>RPC_PROXY_ANS with the request's packet, sealed, padded and encrypted into the send buffer at <paramref name="offset"/>.</summary>
    private int Answer(ReadOnlySpan<byte> request, int sequence, int offset)
    {
        var frame = _send.AsSpan(offset);
        var flags = BinaryPrimitives.ReadUInt32LittleEndian(request[FlagsOffset..]);
        var connId = BinaryPrimitives.ReadInt64LittleEndian(request[ConnIdOffset..]);
        var packetOffset = ProxyRequest.GetHeaderLength((flags & ProxyRequest.HasAdTag) != 0);
        var packet = request[packetOffset..];
        var header = RpcControl.WriteProxyAnswerHeader(frame[RpcFrame.HeaderLength..], 0, connId);
        packet.CopyTo(frame[(RpcFrame.HeaderLength + header)..]);
        var length = RpcFrame.Pad(frame, RpcFrame.Seal(frame, header + packet.Length, sequence, RpcChecksum.Crc32C));
        _encrypt!.Transform(_send, offset, length);
        return length;
    }

    private int Receive(Socket socket)
    {
        var read = socket.Receive(_receive.AsSpan(_count));
        _count += read;
        DecryptReceived();
        return read;
    }

    private void DecryptReceived()
    {
        if (_decrypt is null)
        {
            _decrypted = _count;
            return;
        }

        var blocks = (_count - _decrypted) / CbcStream.BlockSize * CbcStream.BlockSize;
        _decrypt.Transform(_receive, _decrypted, blocks);
        _decrypted += blocks;
    }

    private void Consume(int count)
    {
        _receive.AsSpan(count, _count - count).CopyTo(_receive);
        _count -= count;
        _decrypted -= count;
    }

    public void Dispose()
    {
        _listener.Dispose();
        _socket?.Dispose();
        _thread?.Join();
        _encrypt?.Dispose();
        _decrypt?.Dispose();
    }
}
