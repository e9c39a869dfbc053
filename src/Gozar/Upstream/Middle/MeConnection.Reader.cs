using System.Buffers.Binary;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Gozar.Diagnostics;
using Gozar.Protocol.MiddleProxy;

namespace Gozar.Upstream.Middle;

/// <summary>
/// The receive side: one buffer, decrypted a whole CBC block at a time as bytes arrive, frames parsed in place and
/// dispatched by conn_id (spec §7.5). Answers are copied into the client's queue; the reader never waits for a client.
/// </summary>
public sealed partial class MeConnection
{
    private const int InitialReceiveBytes = 64 * 1024;
    private const int PlainPaddingWord = 4;

    private byte[]? _receive;
    private int _start;
    private int _end;
    private int _decrypted;
    private int _frameLength;

    /// <summary>The frame is <c>_receive[_start.._start+_frameLength]</c>; its payload follows the 8-byte header.</summary>
    private async Task<(RpcFrameStatus Status, byte[] Payload)> ReadHandshakeFrameAsync(int sequence, CancellationToken cancellation)
    {
        while (true)
        {
            var status = NextFrame(sequence, out var payloadLength);
            if (status == RpcFrameStatus.Frame)
            {
                return (status, _receive.AsSpan(_start + RpcFrame.HeaderLength, payloadLength).ToArray());
            }

            if (status != RpcFrameStatus.NeedMore)
            {
                return (status, []);
            }

            if (!await ReceiveAsync(cancellation).ConfigureAwait(false))
            {
                return (RpcFrameStatus.NeedMore, []);
            }
        }
    }

    private void ConsumeHandshakeFrame()
    {
        _start += _frameLength;
        _frameLength = 0;
    }

    /// <summary>An ME may pad its clear nonce write with <c>04 00 00 00</c> words; they precede the encrypted stream.</summary>
    private void SkipPlainPadding()
    {
        while (_end - _start >= PlainPaddingWord && BinaryPrimitives.ReadInt32LittleEndian(_receive.AsSpan(_start)) == PlainPaddingWord)
        {
            _start += PlainPaddingWord;
        }

        _decrypted = _start;
    }

    /// <summary>Skips padding words and finds the next whole frame among the decrypted bytes.</summary>
    private RpcFrameStatus NextFrame(int sequence, out int payloadLength)
    {
        payloadLength = 0;
        var available = _decrypt is null ? _end : _decrypted;
        while (true)
        {
            var status = RpcFrame.TryRead(_receive.AsSpan(_start, available - _start), sequence, _checksum, out var consumed, out payloadLength);
            if (status == RpcFrameStatus.Padding)
            {
                _start += consumed;
                continue;
            }

            _frameLength = consumed;
            if (status == RpcFrameStatus.NeedMore)
            {
                EnsureRoom(consumed);
            }

            return status;
        }
    }

    /// <summary>Makes room for a frame of <paramref name="frameLength"/> bytes at the start of the buffer.</summary>
    private void EnsureRoom(int frameLength)
    {
        _receive ??= _pool.Rent(InitialReceiveBytes);
        if (_start > 0 && _start + frameLength > _receive.Length)
        {
            _receive.AsSpan(_start, _end - _start).CopyTo(_receive);
            _end -= _start;
            _decrypted -= _start;
            _start = 0;
        }

        if (frameLength > _receive.Length)
        {
            var larger = _pool.Rent(frameLength);
            _receive.AsSpan(0, _end).CopyTo(larger);
            _pool.Return(_receive);
            _receive = larger;
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> ReceiveAsync(CancellationToken cancellation)
    {
        _receive ??= _pool.Rent(InitialReceiveBytes);
        if (_end == _receive.Length)
        {
            EnsureRoom(_end - _start + CbcStream.BlockSize);
        }

        var received = await _socket.ReceiveAsync(_receive.AsMemory(_end), SocketFlags.None, cancellation).ConfigureAwait(false);
        if (received == 0)
        {
            return false;
        }

        _end += received;
        DecryptReceived();
        TouchReceived();
        return true;
    }

    /// <summary>Decrypts the whole blocks received so far; a partial block waits for its rest.</summary>
    private void DecryptReceived()
    {
        if (_decrypt is not null && _receive is not null)
        {
            var blocks = (_end - _decrypted) / CbcStream.BlockSize * CbcStream.BlockSize;
            _decrypt.Transform(_receive, _decrypted, blocks);
            _decrypted += blocks;
        }
    }

    private async Task ReadLoopAsync()
    {
        var sequence = 0;
        var reason = "closed by the middle-end";
        try
        {
            while (true)
            {
                var status = NextFrame(sequence, out var payloadLength);
                if (status == RpcFrameStatus.Frame)
                {
                    sequence++;
                    Dispatch(_receive.AsSpan(_start + RpcFrame.HeaderLength, payloadLength));
                    _start += _frameLength;
                    continue;
                }

                if (status != RpcFrameStatus.NeedMore)
                {
                    reason = $"bad frame: {status}";
                    _environment.Metrics.RpcError(status switch
                    {
                        RpcFrameStatus.BadChecksum => "bad_checksum",
                        RpcFrameStatus.BadSequence => "bad_sequence",
                        _ => "bad_length",
                    });
                    break;
                }

                // No token: Close disposes the socket, which ends the receive, and a token would cost a registration per read.
                if (!await ReceiveAsync(CancellationToken.None).ConfigureAwait(false))
                {
                    _environment.Metrics.RpcError("closed");
                    break;
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            reason = e is SocketException socket ? socket.SocketErrorCode.ToString() : "closed";
            if (e is SocketException)
            {
                _environment.Metrics.RpcError("socket");
            }
        }
        finally
        {
            Close(reason);
            if (_receive is not null)
            {
                _pool.Return(_receive);
                _receive = null;
            }
        }
    }

    private void Dispatch(ReadOnlySpan<byte> payload)
    {
        switch (RpcPacketType.Of(payload))
        {
            case RpcPacketType.ProxyAnswer when RpcControl.TryReadProxyAnswer(payload, out _, out var connId):
                DeliverAnswer(connId, payload[RpcControl.ProxyAnswerHeaderLength..]);
                break;
            case RpcPacketType.SimpleAck when RpcControl.TryReadSimpleAck(payload, out var connId, out var token):
                if (!_clients.TryGetValue(connId, out var acked))
                {
                    ForgetUnknown(connId);
                }
                else if (!acked.TryEnqueueQuickAck(token) && _clients.TryRemove(new KeyValuePair<long, MiddleClientLink>(connId, acked)))
                {
                    // Its session is ending: whoever removes the link tells the ME, so it hears RPC_CLOSE_CONN once.
                    _environment.Metrics.RpcError("client_gone");
                    QueueControl(RpcPacketType.CloseConn, connId);
                }

                break;
            case RpcPacketType.CloseExt when RpcControl.TryReadId(payload, out var connId):
                // Unknown ids are ignored, as the official proxy does (§7.5).
                if (_clients.TryRemove(connId, out var closed))
                {
                    closed.End(MiddleAnswerKind.Close);
                }

                break;
            case RpcPacketType.Ping when RpcControl.TryReadId(payload, out var pingId):
                QueueControl(RpcPacketType.Pong, pingId);
                break;
            case RpcPacketType.Pong when RpcControl.TryReadId(payload, out var pongId):
                // Any of our ids shows the ME answers pings, even one that came after the next ping went out.
                var lastPing = Volatile.Read(ref _pingId);
                if (pongId > 0 && pongId <= lastPing)
                {
                    _answersPings = true;
                }

                if (pongId == lastPing && Volatile.Read(ref _pingSent) is var sent and not 0)
                {
                    _environment.Metrics.MeLatency(Cluster, _environment.Time.GetElapsedTime(sent));
                }

                break;
            default:
                // Unknown types are ignored (§7.5).
                break;
        }
    }

    private void DeliverAnswer(long connId, ReadOnlySpan<byte> packet)
    {
        if (!_clients.TryGetValue(connId, out var link))
        {
            ForgetUnknown(connId);
            return;
        }

        if (packet.IsEmpty || packet.Length % 4 != 0)
        {
            _environment.Metrics.RpcError("bad_answer");
            return;
        }

        var queued = link.TryEnqueuePacket(packet);
        if (queued != MiddleEnqueue.Queued && _clients.TryRemove(new KeyValuePair<long, MiddleClientLink>(connId, link)))
        {
            // Over its budget (the link ended itself) or its session is ending: either way the ME should forget it.
            _environment.Metrics.RpcError(queued == MiddleEnqueue.Overflow ? "slow_client" : "client_gone");
            QueueControl(RpcPacketType.CloseConn, connId);
        }
    }

    /// <summary>An answer for a conn_id that is not a client of this connection: dropped, and the ME told to forget it (§7.5).</summary>
    private void ForgetUnknown(long connId)
    {
        _environment.Metrics.RpcError("unknown_conn_id");
        QueueControl(RpcPacketType.CloseConn, connId);
    }
}
