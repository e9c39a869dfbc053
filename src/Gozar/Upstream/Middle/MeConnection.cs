using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Gozar.Diagnostics;
using Gozar.Protocol.MiddleProxy;

namespace Gozar.Upstream.Middle;

/// <summary>
/// One TCP connection to a middle-end, shared by many clients told apart by conn_id (spec §7). After the handshake a
/// single writer loop owns the send sequence and the CBC stream, so clients only queue frames; a single reader loop
/// hands answers to the clients' queues without ever waiting for a client.
/// </summary>
public sealed partial class MeConnection : IAsyncDisposable
{
    /// <summary>Small frames are gathered into one send of up to this many bytes.</summary>
    private const int SendBatchBytes = 64 * 1024;

    private const int ControlFrameBytes = 32;

    private readonly Socket _socket;
    private readonly MiddleEnvironment _environment;
    private readonly ArrayPool<byte> _pool;
    private readonly ConcurrentDictionary<long, MiddleClientLink> _clients = new();

    /// <summary>Bounded by upstream.middle.send_queue: past it, clients wait (backpressure to the client sockets).</summary>
    private readonly Channel<OutFrame> _sends;

    private readonly CancellationTokenSource _closed = new();
    private CbcStream? _encrypt;
    private CbcStream? _decrypt;
    private RpcChecksum _checksum = RpcChecksum.Crc32;
    private Task _loops = Task.CompletedTask;
    private ITimer? _keepalive;
    private long _lastActivity;
    private long _lastReceived;
    private long _pingSent;
    private long _pingId;
    private volatile bool _answersPings;
    private int _closing;

    private MeConnection(Socket socket, IPEndPoint address, int cluster, MiddleEnvironment environment)
    {
        _socket = socket;
        Address = address;
        Cluster = cluster;
        _environment = environment;
        _pool = environment.Buffers;
        _sends = Channel.CreateBounded<OutFrame>(
            new BoundedChannelOptions(environment.Options.SendQueueFrames) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    }

    public IPEndPoint Address { get; }

    /// <summary>The DC id whose proxy_for lines this ME came from.</summary>
    public int Cluster { get; }

    public bool UsesCrc32C => _checksum == RpcChecksum.Crc32C;

    public int ClientCount => _clients.Count;

    public bool IsOpen => !_closed.IsCancellationRequested;

    /// <summary>Raised once when the connection ends, with the reason.</summary>
    public event Action<MeConnection, string>? Closed;

    /// <summary>Ends when both loops have.</summary>
    public Task Completion => _loops;

    /// <summary>Handshakes on a connected socket; on failure the socket is closed and the reason returned.</summary>
    public static async Task<(MeConnection? Connection, string? Failure)> OpenAsync(
        Socket socket, int cluster, MiddleSnapshot snapshot, MiddleEnvironment environment, CancellationToken cancellation)
    {
        var connection = new MeConnection(socket, (IPEndPoint)socket.RemoteEndPoint!, cluster, environment);
        string? failure;
        using (var deadline = new CancellationTokenSource(environment.Options.HandshakeTimeout, environment.Time))
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellation, deadline.Token))
        {
            try
            {
                failure = await connection.HandshakeAsync(snapshot, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
            {
                failure = "handshake timed out";
            }
            catch (SocketException e)
            {
                failure = e.SocketErrorCode.ToString();
            }
        }

        if (failure is not null)
        {
            socket.Dispose();
            connection.DisposeCiphers();
            return (null, failure);
        }

        connection.Start();
        return (connection, null);
    }

    /// <summary>Adds a client under a fresh random conn_id, unique on this connection; null when the connection is closing.</summary>
    public MiddleClientLink? Register(int budget)
    {
        Span<byte> random = stackalloc byte[sizeof(long)];
        while (IsOpen)
        {
            _environment.Random.Fill(random);
            var connId = BitConverter.ToInt64(random);
            if (connId == 0)
            {
                continue;
            }

            var link = new MiddleClientLink(connId, budget, _pool);
            if (_clients.TryAdd(connId, link))
            {
                // A close racing the add would miss this link: end it here.
                if (!IsOpen)
                {
                    link.End(MiddleAnswerKind.Lost);
                }

                return link;
            }
        }

        return null;
    }

    /// <summary>The client left: forget its conn_id and tell the ME with RPC_CLOSE_CONN (spec §7.6).</summary>
    public void Unregister(MiddleClientLink link, bool tellMiddleEnd)
    {
        if (_clients.TryRemove(new KeyValuePair<long, MiddleClientLink>(link.ConnId, link)) && tellMiddleEnd)
        {
            QueueControl(RpcPacketType.CloseConn, link.ConnId);
        }
    }

    /// <summary>
    /// Queues a frame whose payload is at <c>frame[8..8+payloadLength]</c>; the buffer, rented from the proxy's pool with
    /// room for <see cref="RpcFrame.GetPaddedLength"/>, belongs to the connection from here on.
    /// </summary>
    public ValueTask<bool> SendAsync(byte[] frame, int payloadLength, CancellationToken cancellation)
    {
        var item = new OutFrame(frame, payloadLength);
        if (_sends.Writer.TryWrite(item))
        {
            return ValueTask.FromResult(true);
        }

        return SendSlowAsync(item, cancellation);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> SendSlowAsync(OutFrame item, CancellationToken cancellation)
    {
        try
        {
            await _sends.Writer.WriteAsync(item, cancellation).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is ChannelClosedException or OperationCanceledException)
        {
            _pool.Return(item.Buffer);
            return false;
        }
    }

    private void QueueControl(uint type, long id)
    {
        var frame = _pool.Rent(ControlFrameBytes);
        var length = RpcControl.WriteWithId(frame.AsSpan(RpcFrame.HeaderLength), type, id);
        if (!_sends.Writer.TryWrite(new OutFrame(frame, length)))
        {
            // The queue is full or closed: a control frame is not worth waiting for; the ME times the id out itself.
            _pool.Return(frame);
        }
    }

    private void Start()
    {
        Touch();
        _loops = Task.WhenAll(Task.Run(ReadLoopAsync), Task.Run(WriteLoopAsync));
        var keepalive = _environment.Options.Keepalive;
        if (keepalive > TimeSpan.Zero)
        {
            _keepalive = _environment.Time.CreateTimer(_ => Keepalive(keepalive), null, keepalive, keepalive);

            // A close that ran before the timer was stored could not dispose it.
            if (!IsOpen)
            {
                Interlocked.Exchange(ref _keepalive, null)?.Dispose();
            }
        }
    }

    private void Touch() => Volatile.Write(ref _lastActivity, _environment.Time.GetTimestamp());

    private void TouchReceived()
    {
        var now = _environment.Time.GetTimestamp();
        Volatile.Write(ref _lastActivity, now);
        Volatile.Write(ref _lastReceived, now);
    }

    /// <summary>
    /// Keepalive (optional in the spec, as telemt does it): a ping on an idle connection, its pong timed for the latency
    /// metric. On a connection whose middle-end has answered a ping, one that nothing has come back after for
    /// upstream.middle.pong_timeout means a middle-end (or a path) that stopped answering while TCP still holds the
    /// connection: it is closed so that its clients end and the pool reconnects, instead of waiting minutes for TCP to
    /// give up. A middle-end that never answers pings (the spec makes answering only a recommendation) is never closed
    /// for it, and its pings still keep NAT mappings on the way alive.
    /// </summary>
    private void Keepalive(TimeSpan keepalive)
    {
        if (!IsOpen)
        {
            return;
        }

        var pingSent = Volatile.Read(ref _pingSent);
        if (_answersPings && pingSent != 0 && Volatile.Read(ref _lastReceived) < pingSent)
        {
            if (_environment.Time.GetElapsedTime(pingSent) >= _environment.Options.PongTimeout)
            {
                _environment.Metrics.RpcError("keepalive_timeout");
                Close("no answer to a keepalive ping");
            }

            // Still waiting: another ping now would move the deadline.
            return;
        }

        if (_environment.Time.GetElapsedTime(Volatile.Read(ref _lastActivity)) < keepalive)
        {
            return;
        }

        var id = Interlocked.Increment(ref _pingId);
        Volatile.Write(ref _pingSent, _environment.Time.GetTimestamp());
        QueueControl(RpcPacketType.Ping, id);
    }

    private async Task WriteLoopAsync()
    {
        var batch = _pool.Rent(SendBatchBytes);
        var sequence = 0;
        try
        {
            var reader = _sends.Reader;
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                var batched = 0;
                while (reader.TryRead(out var item))
                {
                    try
                    {
                        var length = SealAndEncrypt(item, sequence++);
                        if (batched + length > batch.Length && batched > 0)
                        {
                            await SendAllAsync(batch.AsMemory(0, batched)).ConfigureAwait(false);
                            batched = 0;
                        }

                        if (length > batch.Length)
                        {
                            await SendAllAsync(item.Buffer.AsMemory(0, length)).ConfigureAwait(false);
                        }
                        else
                        {
                            item.Buffer.AsSpan(0, length).CopyTo(batch.AsSpan(batched));
                            batched += length;
                        }
                    }
                    finally
                    {
                        _pool.Return(item.Buffer);
                    }
                }

                if (batched > 0)
                {
                    await SendAllAsync(batch.AsMemory(0, batched)).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            Close(e is SocketException socket ? socket.SocketErrorCode.ToString() : "closed");
        }
        finally
        {
            _pool.Return(batch);
            while (_sends.Reader.TryRead(out var left))
            {
                _pool.Return(left.Buffer);
            }
        }
    }

    /// <summary>Spec §7.2: sequence and CRC, padding words to a whole block, then the CBC stream, all in place.</summary>
    private int SealAndEncrypt(in OutFrame item, int sequence)
    {
        var length = RpcFrame.Seal(item.Buffer, item.PayloadLength, sequence, _checksum);
        var padded = RpcFrame.Pad(item.Buffer, length);
        _encrypt!.Transform(item.Buffer, 0, padded);
        return padded;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendAllAsync(ReadOnlyMemory<byte> data)
    {
        while (!data.IsEmpty)
        {
            var sent = await _socket.SendAsync(data, SocketFlags.None).ConfigureAwait(false);
            data = data[sent..];
        }

        Touch();
    }

    /// <summary>Ends the connection once: every client on it is told (and closed by its session), the pool replaces it.</summary>
    public void Close(string reason)
    {
        if (Interlocked.Exchange(ref _closing, 1) != 0)
        {
            return;
        }

        _closed.Cancel();
        Interlocked.Exchange(ref _keepalive, null)?.Dispose();
        _sends.Writer.TryComplete();
        _socket.Dispose();
        foreach (var link in _clients.Values)
        {
            link.End(MiddleAnswerKind.Lost);
        }

        _clients.Clear();
        Closed?.Invoke(this, reason);
    }

    public async ValueTask DisposeAsync()
    {
        Close("shutting down");
        await _loops.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        DisposeCiphers();
        _closed.Dispose();
    }

    private void DisposeCiphers()
    {
        _encrypt?.Dispose();
        _decrypt?.Dispose();
    }

    private readonly record struct OutFrame(byte[] Buffer, int PayloadLength);
}
