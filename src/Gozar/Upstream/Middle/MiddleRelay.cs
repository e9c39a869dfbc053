using System.Buffers;
using System.Buffers.Binary;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Gozar.Protocol.Crypto;
using Gozar.Protocol.FakeTls;
using Gozar.Protocol.Framing;
using Gozar.Protocol.MiddleProxy;
using Gozar.Protocol.Obfuscation;
using Gozar.Relay;
using Gozar.Sessions;

namespace Gozar.Upstream.Middle;

/// <summary>How the ME-to-client half of a middle relay ended.</summary>
public enum MiddleDownEnd
{
    /// <summary>The client's half ended first and stopped this one.</summary>
    Stopped,

    /// <summary>RPC_CLOSE_EXT: answers written and the client's side closed after them; its bytes dropped until it closes too.</summary>
    ClosedByMiddleEnd,

    /// <summary>The ME connection failed.</summary>
    MiddleEndLost,

    /// <summary>The client read too slowly (upstream.middle.client_buffer).</summary>
    SlowClient,

    /// <summary>Writing to the client failed.</summary>
    ClientFailed,
}

/// <summary>
/// One client in middle mode (spec §3.5): its frames are parsed, stripped of framing and padding and sent as
/// RPC_PROXY_REQ; answers come back framed the client's way (0..3 padding bytes for dd), quick-acks as raw tokens.
/// Holds no buffer while the client is idle between frames; the per-packet async helpers use pooled state machines,
/// so a packet costs no allocation even when a send has to wait.
/// </summary>
public sealed class MiddleRelay
{
    private const int QuickAckBytes = 4;
    private const int MaxServerPadding = 3;

    private readonly Socket _client;
    private readonly MeConnection _me;
    private readonly MiddleClientLink _link;
    private readonly ClientInit _init;
    private readonly AesCtr _toClient;
    private readonly TlsRecordReader? _tls;
    private readonly ReadOnlyMemory<byte> _pending;
    private readonly MiddleRequestAddresses _addresses;
    private readonly byte[]? _adTag;
    private readonly SessionActivity _activity;
    private readonly ArrayPool<byte> _pool;
    private readonly IRandomSource _random;
    private readonly int _bufferSize;
    private readonly int _maxPacket;
    private readonly TrafficMeter? _upMeter;
    private readonly TrafficMeter? _downMeter;

    // Ends a wait for room in the ME connection's send queue: a middle-end that stops reading must not keep the upload,
    // and with it the session and its user's slot, from ending.
    private readonly CancellationTokenSource _abort = new();

    // After RPC_CLOSE_EXT: the client's bytes are read and dropped until it closes. Closing a socket with unread bytes
    // resets the connection, and a reset throws away answers still in the send buffer.
    private volatile bool _draining;

    /// <param name="upMeter">Counts the bytes received from the client, as a direct relay's pump does (the user's traffic and quota).</param>
    /// <param name="downMeter">Counts the bytes sent to the client.</param>
    public MiddleRelay(
        Socket client, MeConnection me, MiddleClientLink link, ClientInit init, TlsRecordReader? tls, ReadOnlyMemory<byte> pending,
        MiddleRequestAddresses addresses, byte[]? adTag, SessionActivity activity, ArrayPool<byte> pool, IRandomSource random, int bufferSize,
        TrafficMeter? upMeter = null, TrafficMeter? downMeter = null)
    {
        _upMeter = upMeter;
        _downMeter = downMeter;
        _client = client;
        _me = me;
        _link = link;
        _init = init;
        _toClient = init.Encryptor ?? throw new ArgumentException("The middle proxy re-encrypts towards the client: the init needs its encryptor.", nameof(init));
        _tls = tls;
        _pending = pending;
        _addresses = addresses;
        _adTag = adTag;
        _activity = activity;
        _pool = pool;
        _random = random;
        _bufferSize = bufferSize;
        _maxPacket = Math.Min(FrameDecoder.DefaultMaxPacketLength, RpcFrame.MaxPayloadLength - ProxyRequest.HeaderLengthWithAdTag) & ~3;
    }

    /// <summary>Bytes received from the client, after the ones the handshake read.</summary>
    public long BytesUp { get; private set; }

    /// <summary>Bytes sent to the client.</summary>
    public long BytesDown { get; private set; }

    /// <summary>Ends both directions from outside (the session was aborted), a stalled middle-end's queue included.</summary>
    public void Abort()
    {
        _link.Stop();
        _abort.Cancel();
    }

    public async Task<(PumpEnd Up, MiddleDownEnd Down)> RunAsync()
    {
        var up = Task.Run(UpAsync);
        var down = Task.Run(DownAsync);
        if (await Task.WhenAny(up, down).ConfigureAwait(false) == up)
        {
            // The client left (or broke the protocol): no answer can reach it any more.
            _link.Stop();
            _client.Dispose();
        }
        else if (down.IsCompletedSuccessfully && down.Result == MiddleDownEnd.ClosedByMiddleEnd)
        {
            // The answers and the FIN are on their way; the client's own close (or the session's abort) ends the up half.
            _draining = true;
            _abort.Cancel();
            if (!TryShutdownSend())
            {
                _client.Dispose();
            }
        }
        else
        {
            _client.Dispose();
            _abort.Cancel();
        }

        // Both halves, even after a fault in one: the session gives their ciphers' secrets back once this returns.
        await Task.WhenAll(up, down).ConfigureAwait(false);
        _client.Dispose();
        var (upEnd, downEnd) = (up.Result, down.Result);
        _me.Unregister(_link, tellMiddleEnd: true);
        _link.Discard();
        return (upEnd, downEnd);
    }

    private bool TryShutdownSend()
    {
        try
        {
            _client.Shutdown(SocketShutdown.Send);
            return true;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    private async Task<PumpEnd> UpAsync()
    {
        byte[]? buffer = null;
        var end = 0;
        var needed = 0;
        try
        {
            if (!_pending.IsEmpty)
            {
                buffer = _pool.Rent(Math.Max(_bufferSize, _pending.Length));
                _pending.Span.CopyTo(buffer);
                _init.Decryptor.Transform(buffer.AsSpan(0, _pending.Length));
                end = _pending.Length;
                (var ok, end, needed) = await ForwardFramesAsync(buffer, end).ConfigureAwait(false);
                if (!ok)
                {
                    return PumpEnd.ProtocolError;
                }
            }

            while (true)
            {
                if (end == 0 && buffer is not null)
                {
                    _pool.Return(buffer);
                    buffer = null;
                }

                if (buffer is null)
                {
                    await _client.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None).ConfigureAwait(false);
                    buffer = _pool.Rent(Math.Max(_bufferSize, needed));
                }
                else if (needed > buffer.Length)
                {
                    var larger = _pool.Rent(needed);
                    buffer.AsSpan(0, end).CopyTo(larger);
                    _pool.Return(buffer);
                    buffer = larger;
                }

                var received = await _client.ReceiveAsync(buffer.AsMemory(end), SocketFlags.None).ConfigureAwait(false);
                if (received == 0)
                {
                    return PumpEnd.EndOfStream;
                }

                BytesUp += received;
                _upMeter?.Count(received);
                _activity.Touch();
                if (_draining)
                {
                    end = 0;
                    needed = 0;
                    continue;
                }

                var produced = _tls is null ? received : Unwrap(buffer.AsSpan(end, received));
                if (produced < 0)
                {
                    return PumpEnd.ProtocolError;
                }

                _init.Decryptor.Transform(buffer.AsSpan(end, produced));
                end += produced;
                (var ok, end, needed) = await ForwardFramesAsync(buffer, end).ConfigureAwait(false);
                if (!ok && _draining)
                {
                    end = 0;
                    needed = 0;
                }
                else if (!ok)
                {
                    return PumpEnd.ProtocolError;
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return Pump.EndOf(e, sending: false);
        }
        finally
        {
            if (buffer is not null)
            {
                _pool.Return(buffer);
            }
        }
    }

    /// <summary>Fake-TLS records stripped in place (as TlsUnwrapProcessor does); returns payload bytes, or -1 on bad records.</summary>
    private int Unwrap(Span<byte> received)
    {
        var position = 0;
        var written = 0;
        while (position < received.Length)
        {
            var status = _tls!.ReadSegment(received[position..], int.MaxValue, out var consumed, out var offset, out var length);
            if (status != TlsRecordStatus.Ok)
            {
                return -1;
            }

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

    /// <summary>Sends every whole frame in <c>buffer[..end]</c> and moves the rest to the front.</summary>
    /// <returns>False on a frame the client's transport forbids; the bytes left; the buffer size the next frame needs.</returns>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<(bool Ok, int End, int Needed)> ForwardFramesAsync(byte[] buffer, int end)
    {
        var position = 0;
        var needed = 0;
        while (true)
        {
            var frame = FrameDecoder.Decode(_init.Tag, FrameDirection.ClientToServer, buffer.AsSpan(position, end - position), _maxPacket);
            if (frame.Status == FrameStatus.NeedMore)
            {
                needed = frame.FrameLength;
                break;
            }

            if (frame.Status != FrameStatus.Frame)
            {
                return (false, 0, 0);
            }

            var (request, payloadLength) = BuildRequest(buffer.AsSpan(position + frame.HeaderLength, frame.PacketLength), frame.QuickAck);
            position += frame.FrameLength;
            if (!await _me.SendAsync(request, payloadLength, _abort.Token).ConfigureAwait(false))
            {
                return (false, 0, 0);
            }
        }

        buffer.AsSpan(position, end - position).CopyTo(buffer);
        return (true, end - position, needed);
    }

    /// <summary>RPC_PROXY_REQ around one packet, in a pooled buffer the ME connection returns (spec §7.6).</summary>
    private (byte[] Frame, int PayloadLength) BuildRequest(ReadOnlySpan<byte> packet, bool quickAck)
    {
        var hasAdTag = _adTag is not null;
        var payloadLength = ProxyRequest.GetHeaderLength(hasAdTag) + packet.Length;
        var frame = _pool.Rent(RpcFrame.GetPaddedLength(payloadLength));
        var payload = frame.AsSpan(RpcFrame.HeaderLength);
        var flags = ProxyRequest.GetFlags(_init.Tag, quickAck, packet, hasAdTag);
        var header = ProxyRequest.WriteHeader(
            payload, flags, _link.ConnId, _addresses.Client.Span, _addresses.ClientPort, _addresses.Proxy.Span, _addresses.ProxyPort, _adTag);
        packet.CopyTo(payload[header..]);
        return (frame, payloadLength);
    }

    private async Task<MiddleDownEnd> DownAsync()
    {
        byte[]? staging = null;
        var reader = _link.Answers;
        try
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (reader.TryRead(out var answer))
                {
                    switch (answer.Kind)
                    {
                        case MiddleAnswerKind.Packet:
                            _link.Take(answer);
                            try
                            {
                                staging = await WritePacketAsync(answer, staging).ConfigureAwait(false);
                            }
                            finally
                            {
                                _link.Release(answer);
                            }

                            break;
                        case MiddleAnswerKind.QuickAck:
                            staging = await WriteQuickAckAsync(answer.Token, staging).ConfigureAwait(false);
                            break;
                        case MiddleAnswerKind.Close:
                            return MiddleDownEnd.ClosedByMiddleEnd;
                        case MiddleAnswerKind.Overflow:
                            return MiddleDownEnd.SlowClient;
                        default:
                            return MiddleDownEnd.MiddleEndLost;
                    }
                }
            }

            return MiddleDownEnd.Stopped;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return MiddleDownEnd.ClientFailed;
        }
        finally
        {
            if (staging is not null)
            {
                _pool.Return(staging);
            }
        }
    }

    /// <summary>Frames the packet in place around it (header before, padding after), encrypts it, and sends it.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<byte[]?> WritePacketAsync(MiddleAnswer answer, byte[]? staging)
    {
        var buffer = answer.Buffer!;
        var length = answer.Length;
        var padding = _init.Tag == ProtocolTag.PaddedIntermediate ? _random.Next(0, MaxServerPadding + 1) : 0;
        var headerLength = FrameEncoder.GetHeaderLength(_init.Tag, length);
        var start = MiddleClientLink.PacketOffset - headerLength;
        FrameEncoder.WriteHeader(_init.Tag, FrameDirection.ServerToClient, length, padding, quickAck: false, buffer.AsSpan(start));
        _random.Fill(buffer.AsSpan(MiddleClientLink.PacketOffset + length, padding));
        var total = headerLength + length + padding;
        _toClient.Transform(buffer.AsSpan(start, total));
        return await SendToClientAsync(buffer, start, total, staging).ConfigureAwait(false);
    }

    /// <summary>The raw token (spec §3.5): big-endian for abridged, little-endian (as received) otherwise.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<byte[]?> WriteQuickAckAsync(uint token, byte[]? staging)
    {
        var buffer = _pool.Rent(MiddleClientLink.PacketOffset + QuickAckBytes);
        try
        {
            var data = buffer.AsSpan(MiddleClientLink.PacketOffset, QuickAckBytes);
            if (_init.Tag == ProtocolTag.Abridged)
            {
                BinaryPrimitives.WriteUInt32BigEndian(data, token);
            }
            else
            {
                BinaryPrimitives.WriteUInt32LittleEndian(data, token);
            }

            _toClient.Transform(data);
            return await SendToClientAsync(buffer, MiddleClientLink.PacketOffset, QuickAckBytes, staging).ConfigureAwait(false);
        }
        finally
        {
            _pool.Return(buffer);
        }
    }

    /// <summary>
    /// Sends <c>buffer[start..start+length]</c>; for fake-TLS wrapped in records, the header written in the free bytes
    /// before the data when one record holds it, else record by record through a staging buffer.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<byte[]?> SendToClientAsync(byte[] buffer, int start, int length, byte[]? staging)
    {
        if (_tls is null)
        {
            await SendAsync(buffer.AsMemory(start, length)).ConfigureAwait(false);
            return staging;
        }

        if (length <= TlsRecordWriter.MaxRecordPayload && start >= TlsRecordWriter.HeaderLength)
        {
            var recordStart = start - TlsRecordWriter.HeaderLength;
            TlsRecordWriter.BeginRecord(length, buffer.AsSpan(recordStart));
            await SendAsync(buffer.AsMemory(recordStart, length + TlsRecordWriter.HeaderLength)).ConfigureAwait(false);
            return staging;
        }

        staging ??= _pool.Rent(TlsRecordWriter.HeaderLength + TlsRecordWriter.MaxRecordPayload);
        var sent = 0;
        while (sent < length)
        {
            var chunk = TlsRecordWriter.BeginRecord(length - sent, staging);
            buffer.AsSpan(start + sent, chunk).CopyTo(staging.AsSpan(TlsRecordWriter.HeaderLength));
            await SendAsync(staging.AsMemory(0, TlsRecordWriter.HeaderLength + chunk)).ConfigureAwait(false);
            sent += chunk;
        }

        return staging;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendAsync(ReadOnlyMemory<byte> data)
    {
        while (!data.IsEmpty)
        {
            var sent = await _client.SendAsync(data, SocketFlags.None).ConfigureAwait(false);
            data = data[sent..];
            BytesDown += sent;
            _downMeter?.Count(sent);
        }

        _activity.Touch();
    }
}

/// <summary>
/// The addresses RPC_PROXY_REQ carries (spec §7.6), 16 bytes each (IPv6 or IPv4-mapped): the client's, and the
/// proxy's as the client connected to it (after NAT) with the port it connected to.
/// </summary>
public sealed record MiddleRequestAddresses(ReadOnlyMemory<byte> Client, int ClientPort, ReadOnlyMemory<byte> Proxy, int ProxyPort);
