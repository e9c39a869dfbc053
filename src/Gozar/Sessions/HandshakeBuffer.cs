using System.Buffers;
using System.Net.Sockets;

namespace Gozar.Sessions;

/// <summary>
/// Everything a client sent before it authenticated, kept so that a failed handshake can be replayed to the mask host
/// byte for byte. Rents its buffer only once the client has sent something.
/// </summary>
public sealed class HandshakeBuffer : IDisposable
{
    private readonly Socket _socket;
    private readonly int _capacity;
    private readonly ArrayPool<byte> _pool;
    private byte[]? _buffer;

    public HandshakeBuffer(Socket socket, int capacity, ArrayPool<byte> pool)
    {
        _pool = pool;
        _socket = socket;
        _capacity = capacity;
    }

    public int Count { get; private set; }

    /// <summary>True once the client has closed its sending side.</summary>
    public bool EndOfStream { get; private set; }

    public ReadOnlySpan<byte> Data => _buffer is null ? [] : _buffer.AsSpan(0, Count);

    public ReadOnlyMemory<byte> Memory => _buffer is null ? ReadOnlyMemory<byte>.Empty : _buffer.AsMemory(0, Count);

    /// <summary>Reads until at least <paramref name="count"/> bytes are held. False at end of stream or when full.</summary>
    public async ValueTask<bool> FillAsync(int count, CancellationToken cancellation)
    {
        if (count > _capacity)
        {
            return false;
        }

        while (Count < count)
        {
            if (_buffer is null)
            {
                await _socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, cancellation).ConfigureAwait(false);
                _buffer = _pool.Rent(_capacity);
            }

            var received = await _socket.ReceiveAsync(_buffer.AsMemory(Count, _capacity - Count), SocketFlags.None, cancellation)
                .ConfigureAwait(false);
            if (received == 0)
            {
                EndOfStream = true;
                return false;
            }

            Count += received;
        }

        return true;
    }

    public void Dispose()
    {
        if (_buffer is not null)
        {
            _pool.Return(_buffer, clearArray: true);
            _buffer = null;
        }
    }
}
