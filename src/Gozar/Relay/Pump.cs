using System.Buffers;
using System.Net.Sockets;

namespace Gozar.Relay;

/// <summary>
/// Moves bytes one way between two sockets until the source ends. Holds no buffer while the source is idle: it waits
/// with a zero-byte receive and rents a pooled buffer only when data is there (as Kestrel does). It sends each chunk
/// before receiving the next, so a slow receiver slows the sender instead of growing a queue.
/// </summary>
public sealed class Pump
{
    private readonly SocketLane _lane;
    private readonly Socket _from;
    private readonly Socket? _to;
    private readonly ChunkProcessor _processor;
    private readonly SessionActivity _activity;
    private readonly int _bufferSize;
    private readonly ArrayPool<byte> _pool;
    private readonly TrafficMeter? _meter;
    private readonly IPumpOwner? _owner;

    /// <param name="lane">Carries this direction's receives and sends; nothing else uses it while the pump runs.</param>
    /// <param name="to">Where the bytes go; null reads and drops them.</param>
    /// <param name="pool">Where chunk buffers come from (default: <see cref="BufferPool.Shared"/>).</param>
    /// <param name="meter">Also told every chunk's size (the user's byte counters); null for unauthenticated traffic.</param>
    /// <param name="owner">Told when this direction ends, before the returned task completes.</param>
    public Pump(
        SocketLane lane, Socket from, Socket? to, ChunkProcessor processor, SessionActivity activity, int bufferSize, ArrayPool<byte>? pool = null,
        TrafficMeter? meter = null, IPumpOwner? owner = null)
    {
        _owner = owner;
        _lane = lane;
        _meter = meter;
        _pool = pool ?? BufferPool.Shared;
        _from = from;
        _to = to;
        _processor = processor;
        _activity = activity;
        _bufferSize = bufferSize;
    }

    /// <summary>Bytes received from the source.</summary>
    public long Bytes { get; private set; }

    public async Task<PumpEnd> RunAsync()
    {
        byte[]? buffer = null;
        var offset = _processor.ReceiveOffset;
        var sending = false;
        PumpEnd end;
        try
        {
            var mayHaveMore = false;
            while (true)
            {
                if (!mayHaveMore)
                {
                    await _lane.WaitReadableAsync(_from).ConfigureAwait(false);
                }

                buffer ??= _pool.Rent(_bufferSize);
                var max = _processor.MaxReceive(buffer.Length - offset);
                var received = await _lane.ReceiveAsync(_from, buffer.AsMemory(offset, max)).ConfigureAwait(false);
                if (received == 0)
                {
                    if (_to is not null)
                    {
                        ShutdownSend(_to);
                    }

                    end = PumpEnd.EndOfStream;
                    break;
                }

                Bytes += received;
                _activity.Touch();
                _meter?.Count(received);
                if (!_processor.Process(buffer, received, out var start, out var length))
                {
                    end = PumpEnd.ProtocolError;
                    break;
                }

                // The send loop stays inline: an awaited helper method would allocate a state machine per chunk.
                sending = true;
                while (length > 0 && _to is not null)
                {
                    var sent = await _lane.SendAsync(_to, buffer.AsMemory(start, length)).ConfigureAwait(false);
                    start += sent;
                    length -= sent;
                }

                sending = false;

                // A full read suggests more is queued: skip the zero-byte wait and keep the buffer.
                mayHaveMore = received == max;
                if (!mayHaveMore)
                {
                    _pool.Return(buffer);
                    buffer = null;
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            end = EndOf(e, sending);
        }
        finally
        {
            if (buffer is not null)
            {
                _pool.Return(buffer);
            }
        }

        _owner?.PumpEnded(this, end);
        return end;
    }

    /// <summary>How a socket failure ends a direction; <paramref name="sending"/>: it came from the destination's send.</summary>
    internal static PumpEnd EndOf(Exception failure, bool sending) => failure switch
    {
        SocketException { SocketErrorCode: SocketError.OperationAborted or SocketError.Interrupted } => PumpEnd.Aborted,
        SocketException when sending => PumpEnd.DestinationFailed,
        SocketException { SocketErrorCode: SocketError.ConnectionReset } => PumpEnd.Reset,
        SocketException => PumpEnd.Failed,
        _ => PumpEnd.Aborted,
    };

    private static void ShutdownSend(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }
}

/// <summary>Who runs a pair of pumps and must hear at once when one direction ends (to end the other on a failure).</summary>
public interface IPumpOwner
{
    void PumpEnded(Pump pump, PumpEnd end);
}

/// <summary>How one direction of a relay ended.</summary>
public enum PumpEnd
{
    /// <summary>The source closed its sending side; the close was passed on.</summary>
    EndOfStream,

    /// <summary>The source reset the connection.</summary>
    Reset,

    /// <summary>A socket error other than a reset.</summary>
    Failed,

    /// <summary>Sending to the destination failed (it reset or went away).</summary>
    DestinationFailed,

    /// <summary>The session closed the sockets (idle timeout, shutdown, the other direction failed).</summary>
    Aborted,

    /// <summary>The source sent bytes that break the protocol.</summary>
    ProtocolError,
}
