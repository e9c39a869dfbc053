using System.Buffers;
using System.Net.Sockets;
using Gozar.Relay;

namespace Gozar.Sessions;

/// <summary>
/// Everything a client sent before it authenticated, kept so that a failed handshake can be replayed to the mask host
/// byte for byte. Rents its buffer only once the client has sent something.
/// </summary>
public sealed class HandshakeBuffer : IDisposable, IPendingWaitHook
{
    // A ClientHello is 517 bytes from Telegram Desktop and about 1.9 KB from current tdlib: most handshakes never
    // grow, and a client that stalls mid-hello holds 4 KiB rather than the whole capacity.
    private const int InitialSize = 4 * 1024;

    private readonly Socket _socket;
    private readonly SocketLane _lane;
    private readonly int _capacity;
    private readonly ArrayPool<byte> _pool;
    private byte[]? _buffer;

    /// <summary>What <see cref="WaitHook"/> made the current fill's waits honour, once one of them really waited.</summary>
    private CancellationToken _pendingWaitCancellation;

    /// <param name="lane">Waits for the client's bytes; the session's lane for the client's direction.</param>
    public HandshakeBuffer(Socket socket, SocketLane lane, int capacity, ArrayPool<byte> pool)
    {
        _pool = pool;
        _lane = lane;
        _socket = socket;

        // Reads take what is there without waiting (a wait goes through the lane, where it can be cancelled).
        _socket.Blocking = false;
        _capacity = capacity;
    }

    public int Count { get; private set; }

    /// <summary>
    /// Told whenever a fill has to wait for the client; the token it returns also ends the waits (and the fill, should it
    /// be cancelled while the fill was kept from reading after a wait).
    /// </summary>
    public IPendingWaitHook? WaitHook { get; set; }

    /// <summary>True once the client has closed its sending side.</summary>
    public bool EndOfStream { get; private set; }

    public ReadOnlySpan<byte> Data => _buffer is null ? [] : _buffer.AsSpan(0, Count);

    public ReadOnlyMemory<byte> Memory => _buffer is null ? ReadOnlyMemory<byte>.Empty : _buffer.AsMemory(0, Count);

    /// <summary>Reads until at least <paramref name="count"/> bytes are held. False at end of stream or when full.</summary>
    /// <param name="waitFirst">
    /// Nothing can have arrived yet (the client answers the server flight a round trip after it went out): wait for the
    /// socket before reading, instead of a read that finds nothing and then the wait's own check, one system call more.
    /// </param>
    public async ValueTask<bool> FillAsync(int count, CancellationToken cancellation, bool waitFirst = false)
    {
        if (count > _capacity)
        {
            return false;
        }

        _pendingWaitCancellation = default;
        if (waitFirst && _buffer is not null && Count < count)
        {
            await _lane.WaitReadableAsync(_socket, cancellation, this).ConfigureAwait(false);
        }

        while (Count < count)
        {
            // A first read goes straight at the socket: the hello is nearly always there by the time a session starts, and
            // a wait first would cost a system call of its own (.NET peeks before it registers). When nothing is there the
            // buffer goes back before the wait, so a client that connects and says nothing holds none.
            var rentedEmpty = false;
            if (_buffer is null)
            {
                _buffer = _pool.Rent(Math.Min(InitialSize, _capacity));
                rentedEmpty = true;
            }
            else if (Count == Math.Min(_buffer.Length, _capacity))
            {
                Grow();
            }

            // As a cancelled socket receive would: a session told to stop waiting decides with what it has.
            cancellation.ThrowIfCancellationRequested();
            _pendingWaitCancellation.ThrowIfCancellationRequested();
            var room = Math.Min(_buffer.Length, _capacity) - Count;
            var received = _socket.Receive(_buffer.AsSpan(Count, room), SocketFlags.None, out var error);
            if (error == SocketError.WouldBlock)
            {
                if (rentedEmpty)
                {
                    _pool.Return(_buffer);
                    _buffer = null;
                }

                await _lane.WaitReadableAsync(_socket, cancellation, this).ConfigureAwait(false);
                continue;
            }

            if (error != SocketError.Success)
            {
                throw new SocketException((int)error);
            }

            if (received == 0)
            {
                EndOfStream = true;
                return false;
            }

            Count += received;
        }

        return true;
    }

    /// <summary>
    /// Takes what the client already sent, without waiting for more; returns how many bytes that added. For a session
    /// that was told to decide while it may not have read everything that had arrived (kept from the CPU, say).
    /// </summary>
    public int ReadAvailable()
    {
        var added = 0;
        while (Count < _capacity && _socket.Available > 0)
        {
            _buffer ??= _pool.Rent(Math.Min(InitialSize, _capacity));
            if (Count == _buffer.Length)
            {
                Grow();
            }

            var received = _socket.Receive(_buffer.AsSpan(Count, Math.Min(_buffer.Length, _capacity) - Count), SocketFlags.None);
            if (received == 0)
            {
                EndOfStream = true;
                break;
            }

            Count += received;
            added += received;
        }

        return added;
    }

    CancellationToken IPendingWaitHook.WaitPending(CancellationToken cancellation) =>
        _pendingWaitCancellation = WaitHook?.WaitPending(cancellation) ?? cancellation;

    /// <summary>Drops the first <paramref name="count"/> bytes (a PROXY protocol header): what follows is the client's.</summary>
    public void Consume(int count)
    {
        _buffer.AsSpan(count, Count - count).CopyTo(_buffer);
        Count -= count;
    }

    private void Grow()
    {
        var bigger = _pool.Rent(Math.Min(_buffer!.Length * 4, _capacity));
        _buffer.AsSpan(0, Count).CopyTo(bigger);
        ReturnWiped(_buffer, Count);
        _buffer = bigger;
    }

    public void Dispose()
    {
        if (_buffer is not null)
        {
            ReturnWiped(_buffer, Count);
            _buffer = null;
        }
    }

    /// <summary>Wipes only the bytes received, not the whole pooled array (most of a grown buffer was never used).</summary>
    private void ReturnWiped(byte[] buffer, int used)
    {
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(buffer.AsSpan(0, Math.Min(used, buffer.Length)));
        _pool.Return(buffer);
    }
}
