using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Gozar.Protocol.Framing;
using Gozar.Protocol.MiddleProxy;
using Gozar.Tests.FakeDc;

namespace Gozar.Tests.Infrastructure;

/// <summary>One RPC_PROXY_REQ as the fake middle-end received it.</summary>
public sealed record RecordedRequest(
    int Connection, uint Flags, long ConnId, byte[] ClientAddress, int ClientPort, byte[] ProxyAddress, int ProxyPort, byte[]? Extra, byte[] Packet);

/// <summary>
/// A middle-end on loopback implementing the server side of spec §7: nonce, KDF with purposes swapped, handshake with
/// optional CRC32C, then RPC frames. It records every RPC_PROXY_REQ and RPC_CLOSE_CONN and, unless told otherwise,
/// answers every request with an RPC_PROXY_ANS carrying the same packet. As a bridge it does what Telegram's
/// middle-ends do instead: each client connection (conn_id) gets a connection of its own to a DC (the fake DC), its
/// packets go there and the DC's come back as RPC_PROXY_ANS; RPC_CLOSE_CONN closes it, and a DC that closes is told to
/// the proxy with RPC_CLOSE_EXT.
/// </summary>
public sealed class FakeMiddleEnd : IAsyncDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly byte[] _secret;
    private readonly bool _grantCrc32C;
    private readonly IPAddress? _proxyAddress;
    private readonly int? _bridgeDcPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<int, MeSide> _connections = new();
    private readonly Task _acceptLoop;
    private readonly SemaphoreSlim _changed = new(0);
    private int _accepted;
    private int _disconnected;

    /// <param name="proxyAddress">The proxy's address as the ME "sees" it in the KDF (nat_ip); null: the real peer address.</param>
    /// <param name="bridgeDcPort">Carry the clients' packets to and from the fake DC on this loopback port instead of echoing them.</param>
    public FakeMiddleEnd(byte[] secret, bool grantCrc32C = true, IPAddress? proxyAddress = null, int? bridgeDcPort = null)
    {
        _secret = secret;
        _bridgeDcPort = bridgeDcPort;
        _grantCrc32C = grantCrc32C;
        _proxyAddress = proxyAddress;
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(64);
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        _acceptLoop = AcceptAsync();
    }

    public int Port { get; }

    /// <summary>Answer each request with its own packet.</summary>
    public bool Echo { get; set; } = true;

    /// <summary>Answer the proxy's RPC_PING with RPC_PONG, as the official middle-ends do.</summary>
    public bool AnswerPings { get; set; } = true;

    /// <summary>How long an RPC_PONG takes to leave (a far or congested middle-end); zero by default.</summary>
    public TimeSpan PongDelay { get; set; }

    /// <summary>Stop reading (a wedged middle-end) at the next frame, until <see cref="Unstall"/>.</summary>
    public volatile bool Stalled;

    private readonly TaskCompletionSource _unstalled = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Unstall() => _unstalled.TrySetResult();

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();
    public ConcurrentQueue<long> ClosedConnIds { get; } = new();
    public ConcurrentQueue<long> Pongs { get; } = new();
    public ConcurrentQueue<long> Pings { get; } = new();
    public ConcurrentQueue<uint> OfferedFlags { get; } = new();
    public ConcurrentQueue<string> Failures { get; } = new();

    /// <summary>Connections that have ended (either side closed).</summary>
    public int Disconnected => Volatile.Read(ref _disconnected);

    /// <summary>Connections that finished the handshake, by number (1, 2, ...).</summary>
    public int Handshaken => _connections.Count(c => c.Value.Ready);

    /// <summary>Completes when something recorded matches.</summary>
    public async Task<T> WaitForAsync<T>(Func<T?> probe, TimeSpan? timeout = null)
        where T : class
    {
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        try
        {
            while (true)
            {
                if (probe() is { } found)
                {
                    return found;
                }

                await _changed.WaitAsync(deadline.Token);
            }
        }
        catch (OperationCanceledException)
        {
        }

        throw new TimeoutException($"the fake middle-end never saw it; failures: {string.Join("; ", Failures)}");
    }

    public Task WaitUntilAsync(Func<bool> condition) => WaitForAsync(() => condition() ? string.Empty : null);

    /// <summary>Wakes every waiter to look again.</summary>
    private void Changed() => _changed.Release();

    /// <summary>Sends a payload (an RPC packet) on connection <paramref name="connection"/>.</summary>
    public Task SendAsync(int connection, byte[] payload) => _connections[connection].SendAsync(payload);

    public Task SendAnswerAsync(int connection, long connId, byte[] packet)
    {
        var payload = new byte[RpcControl.ProxyAnswerHeaderLength + packet.Length];
        RpcControl.WriteProxyAnswerHeader(payload, 0, connId);
        packet.CopyTo(payload, RpcControl.ProxyAnswerHeaderLength);
        return SendAsync(connection, payload);
    }

    public Task SendWithIdAsync(int connection, uint type, long id)
    {
        var payload = new byte[RpcControl.ConnIdPacketLength];
        RpcControl.WriteWithId(payload, type, id);
        return SendAsync(connection, payload);
    }

    public Task SendSimpleAckAsync(int connection, long connId, uint token)
    {
        var payload = new byte[RpcControl.SimpleAckLength];
        RpcControl.WriteSimpleAck(payload, connId, token);
        return SendAsync(connection, payload);
    }

    /// <summary>Drops connection <paramref name="connection"/> abruptly.</summary>
    public void Kill(int connection)
    {
        var side = _connections[connection];
        side.Socket.LingerState = new LingerOption(true, 0);
        side.Socket.Dispose();
    }

    private async Task AcceptAsync()
    {
        var tasks = new List<Task>();
        while (true)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                break;
            }

            var number = Interlocked.Increment(ref _accepted);
            var side = new MeSide(this, socket, number);
            _connections[number] = side;
            tasks.Add(side.RunAsync());
        }

        await Task.WhenAll(tasks);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        foreach (var side in _connections.Values)
        {
            side.Socket.Dispose();
        }

        await _acceptLoop;
        _stop.Dispose();
    }

    private sealed class MeSide(FakeMiddleEnd owner, Socket socket, int number)
    {
        private readonly SemaphoreSlim _sendLock = new(1, 1);
        private byte[] _buffer = new byte[64 * 1024];
        private int _count;
        private CbcStream? _encrypt;
        private CbcStream? _decrypt;
        private int _decrypted;
        private int _sendSequence;
        private RpcChecksum _checksum = RpcChecksum.Crc32;
        private readonly ConcurrentDictionary<long, MtprotoTestClient> _dcLinks = new();

        public Socket Socket => socket;
        public bool Ready { get; private set; }

        public async Task RunAsync()
        {
            try
            {
                await HandshakeAsync();
                Ready = true;
                owner.Changed();
                var sequence = 0;
                while (true)
                {
                    var payload = await ReadFrameAsync(sequence++);
                    if (payload is null)
                    {
                        return;
                    }

                    await HandleAsync(payload);
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException or InvalidDataException)
            {
                if (e is InvalidDataException)
                {
                    owner.Failures.Enqueue(e.Message);
                }
            }
            finally
            {
                socket.Dispose();
                foreach (var link in _dcLinks.Values)
                {
                    await link.DisposeAsync();
                }

                Interlocked.Increment(ref owner._disconnected);
                owner.Changed();
            }
        }

        private async Task HandshakeAsync()
        {
            var nonce = await ReadFrameAsync(RpcFrame.NonceSequence) ?? throw new IOException("closed");
            if (RpcNonce.Read(nonce, owner._secret, out var proxyTime, out var clientNonceSpan) != RpcNonceStatus.Ok)
            {
                throw new InvalidDataException("bad nonce");
            }

            var clientNonce = clientNonceSpan.ToArray();
            var serverNonce = RandomNumberGenerator.GetBytes(RpcNonce.NonceLength);
            var answer = new byte[RpcNonce.Length];
            RpcNonce.Write(answer, owner._secret, (uint)DateTimeOffset.UtcNow.ToUnixTimeSeconds(), serverNonce);
            await WriteFrameAsync(answer, RpcFrame.NonceSequence, encrypted: false);

            var local = (IPEndPoint)socket.LocalEndPoint!;
            var remote = (IPEndPoint)socket.RemoteEndPoint!;
            var input = new MiddleKeyInput
            {
                ServerNonce = serverNonce,
                ClientNonce = clientNonce,
                CryptoTime = proxyTime,
                ServerAddress = local.Address.GetAddressBytes(),
                ServerPort = (ushort)local.Port,
                ClientAddress = (owner._proxyAddress ?? remote.Address).GetAddressBytes(),
                ClientPort = (ushort)remote.Port,
                Secret = owner._secret,
            };
            var key = new byte[32];
            var iv = new byte[16];
            MiddleKeyDerivation.Derive(input, MiddlePurpose.Server, key, iv);
            _encrypt = CbcStream.CreateEncryptor(key, iv);
            MiddleKeyDerivation.Derive(input, MiddlePurpose.Client, key, iv);
            _decrypt = CbcStream.CreateDecryptor(key, iv);
            DecryptBuffered();

            var handshake = await ReadFrameAsync(RpcFrame.HandshakeSequence) ?? throw new IOException("closed");
            if (RpcHandshake.Read(handshake, out var flags, out var proxyPid, out _, out _) != RpcHandshakeStatus.Ok)
            {
                throw new InvalidDataException("bad handshake");
            }

            owner.OfferedFlags.Enqueue(flags);
            var grant = owner._grantCrc32C && (flags & RpcHandshake.Crc32CFlag) != 0;
            var reply = new byte[RpcHandshake.Length];
            RpcHandshake.Write(reply, grant ? RpcHandshake.Crc32CFlag : 0, new RpcProcessId(0, (ushort)local.Port, 1, 1), proxyPid);
            await WriteFrameAsync(reply, RpcFrame.HandshakeSequence, encrypted: true);
            if (grant)
            {
                _checksum = RpcChecksum.Crc32C;
            }
        }

        private async Task HandleAsync(byte[] payload)
        {
            if (owner.Stalled)
            {
                await owner._unstalled.Task;
            }

            switch (RpcPacketType.Of(payload))
            {
                case RpcPacketType.ProxyRequest:
                    var request = Parse(payload);
                    owner.Requests.Enqueue(request);
                    owner.Changed();
                    if (owner._bridgeDcPort is { } dcPort)
                    {
                        await BridgeAsync(dcPort, request);
                    }
                    else if (owner.Echo)
                    {
                        await owner.SendAnswerAsync(number, request.ConnId, request.Packet);
                    }

                    break;
                case RpcPacketType.CloseConn:
                    RpcControl.TryReadId(payload, out var closed);
                    owner.ClosedConnIds.Enqueue(closed);
                    if (_dcLinks.TryRemove(closed, out var link))
                    {
                        await link.DisposeAsync();
                    }

                    owner.Changed();
                    break;
                case RpcPacketType.Pong:
                    RpcControl.TryReadId(payload, out var pong);
                    owner.Pongs.Enqueue(pong);
                    owner.Changed();
                    break;
                case RpcPacketType.Ping:
                    RpcControl.TryReadId(payload, out var ping);
                    owner.Pings.Enqueue(ping);
                    if (owner.AnswerPings)
                    {
                        if (owner.PongDelay > TimeSpan.Zero)
                        {
                            await Task.Delay(owner.PongDelay);
                        }

                        await owner.SendWithIdAsync(number, RpcPacketType.Pong, ping);
                    }

                    owner.Changed();
                    break;
                default:
                    owner.Failures.Enqueue($"unexpected packet type {RpcPacketType.Of(payload):x8}");
                    break;
            }
        }

        private async Task BridgeAsync(int dcPort, RecordedRequest request)
        {
            if (!_dcLinks.TryGetValue(request.ConnId, out var link))
            {
                // Padded intermediate: the proxy can strip a dd client's padding only down to n & ~3, so up to 12 junk
                // bytes may follow a packet, which the DC then ignores, as Telegram's do.
                link = await MtprotoTestClient.ConnectAsync(dcPort, ProtocolTag.PaddedIntermediate);
                _dcLinks[request.ConnId] = link;
                _ = CarryAnswersAsync(request.ConnId, link);
            }

            await link.SendPacketAsync(request.Packet);
        }

        private async Task CarryAnswersAsync(long connId, MtprotoTestClient link)
        {
            try
            {
                while (await link.ReceivePacketAsync(Timeout.InfiniteTimeSpan) is { } packet)
                {
                    // The DC pads 0..3 bytes, which n & ~3 removes: the packet goes on as the DC made it.
                    await owner.SendAnswerAsync(number, connId, packet[..(packet.Length & ~3)]);
                }

                if (_dcLinks.TryRemove(connId, out _))
                {
                    await owner.SendWithIdAsync(number, RpcPacketType.CloseExt, connId);
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException or OperationCanceledException)
            {
                // Closed on RPC_CLOSE_CONN, or the proxy's connection ended.
            }
            finally
            {
                await link.DisposeAsync();
            }
        }

        private RecordedRequest Parse(byte[] payload)
        {
            var flags = BinaryPrimitives.ReadUInt32LittleEndian(payload.AsSpan(4));
            var hasTag = (flags & ProxyRequest.HasAdTag) != 0;
            byte[]? extra = null;
            var packetOffset = ProxyRequest.HeaderLength;
            if (hasTag)
            {
                var extraSize = BinaryPrimitives.ReadInt32LittleEndian(payload.AsSpan(56));
                extra = payload.AsSpan(60, extraSize).ToArray();
                packetOffset = 60 + extraSize;
            }

            return new RecordedRequest(
                number,
                flags,
                BinaryPrimitives.ReadInt64LittleEndian(payload.AsSpan(8)),
                payload.AsSpan(16, 16).ToArray(),
                BinaryPrimitives.ReadInt32LittleEndian(payload.AsSpan(32)),
                payload.AsSpan(36, 16).ToArray(),
                BinaryPrimitives.ReadInt32LittleEndian(payload.AsSpan(52)),
                extra,
                payload.AsSpan(packetOffset).ToArray());
        }

        public async Task SendAsync(byte[] payload)
        {
            await _sendLock.WaitAsync();
            try
            {
                await WriteFrameUnlockedAsync(payload, _sendSequence++, encrypted: true);
            }
            finally
            {
                _sendLock.Release();
            }
        }

        private async Task WriteFrameAsync(byte[] payload, int sequence, bool encrypted)
        {
            await _sendLock.WaitAsync();
            try
            {
                await WriteFrameUnlockedAsync(payload, sequence, encrypted);
            }
            finally
            {
                _sendLock.Release();
            }
        }

        private async Task WriteFrameUnlockedAsync(byte[] payload, int sequence, bool encrypted)
        {
            var frame = new byte[RpcFrame.GetPaddedLength(payload.Length)];
            payload.CopyTo(frame, RpcFrame.HeaderLength);
            var length = RpcFrame.Seal(frame, payload.Length, sequence, _checksum);
            if (encrypted)
            {
                length = RpcFrame.Pad(frame, length);
                _encrypt!.Transform(frame, 0, length);
            }

            await socket.SendAsync(frame.AsMemory(0, length));
        }

        private void DecryptBuffered()
        {
            if (_decrypt is null)
            {
                _decrypted = _count;
                return;
            }

            var blocks = (_count - _decrypted) / 16 * 16;
            _decrypt.Transform(_buffer, _decrypted, blocks);
            _decrypted += blocks;
        }

        private async Task<byte[]?> ReadFrameAsync(int sequence)
        {
            while (true)
            {
                var status = RpcFrame.TryRead(_buffer.AsSpan(0, _decrypted), sequence, _checksum, out var consumed, out var payloadLength);
                if (status == RpcFrameStatus.Padding)
                {
                    Consume(consumed);
                    continue;
                }

                if (status == RpcFrameStatus.Frame)
                {
                    var payload = _buffer.AsSpan(RpcFrame.HeaderLength, payloadLength).ToArray();
                    Consume(consumed);
                    return payload;
                }

                if (status != RpcFrameStatus.NeedMore)
                {
                    throw new InvalidDataException($"frame {sequence}: {status}");
                }

                if (consumed > _buffer.Length)
                {
                    Array.Resize(ref _buffer, consumed + 16);
                }

                var read = await socket.ReceiveAsync(_buffer.AsMemory(_count));
                if (read == 0)
                {
                    return null;
                }

                _count += read;
                DecryptBuffered();
            }
        }

        private void Consume(int count)
        {
            _buffer.AsSpan(count, _count - count).CopyTo(_buffer);
            _count -= count;
            _decrypted -= count;
        }
    }
}
