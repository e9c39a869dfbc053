using System.Buffers;
using System.Net.Sockets;

namespace Gozar.Relay;

/// <summary>
/// Moves bytes one way between two sockets until the source ends. Holds no buffer while the source is idle: it waits
/// with a zero-byte receive and rents a pooled buffer only when data is there (as Kestrel does). It sends each chunk
/// before receiving the next, so a slow receiver slows the sender instead of growing a queue. Driven by its lane's
/// completions rather than an async method: an idle direction is this object and its lane, with no state machine.
/// </summary>
public sealed class Pump : ILaneListener
{
    private readonly SocketLane _lane;
    private readonly Socket _from;
    private readonly Socket? _to;
    private readonly ChunkProcessor _processor;
    private readonly SessionActivity _activity;
    private readonly int _bufferSize;
    private readonly ArrayPool<byte> _pool;
    private readonly TrafficMeter? _meter;
    private readonly IPumpOwner _owner;

    private Step _step;
    private byte[]? _buffer;
    private int _max;
    private int _received;
    private int _sendStart;
    private int _sendLength;

    // The processor found the protocol broken after bytes it still passed on: the direction ends once they are sent.
    private bool _broken;

    /// <param name="lane">Carries this direction's receives and sends; nothing else uses it from <see cref="Start"/> on.</param>
    /// <param name="to">Where the bytes go; null reads and drops them.</param>
    /// <param name="owner">Told once when this direction ends.</param>
    /// <param name="pool">Where chunk buffers come from (default: <see cref="BufferPool.Shared"/>).</param>
    /// <param name="meter">Also told every chunk's size (the user's byte counters); null for unauthenticated traffic.</param>
    public Pump(
        SocketLane lane, Socket from, Socket? to, ChunkProcessor processor, SessionActivity activity, int bufferSize, IPumpOwner owner,
        ArrayPool<byte>? pool = null, TrafficMeter? meter = null)
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

    private enum Step
    {
        Waiting,
        Receiving,
        Sending,
        Ended,
    }

    /// <summary>Bytes received from the source.</summary>
    public long Bytes { get; private set; }

    /// <summary>An exception that ended this direction: a bug, which the owner reports.</summary>
    public Exception? Fault { get; private set; }

    /// <summary>Starts moving bytes; returns once the first operation is pending (or the direction already ended).</summary>
    public void Start()
    {
        _lane.Attach(this);
        _step = Step.Waiting;
        if (!_lane.StartWaitReadable(_from))
        {
            Run();
        }
    }

    void ILaneListener.OperationCompleted() => Run();

    /// <summary>Takes the result of the operation of the current step from the lane and goes on until one is pending.</summary>
    private void Run()
    {
        try
        {
            while (Advance())
            {
            }
        }
        catch (Exception e)
        {
            Fault = e;
            End(PumpEnd.Failed);
        }
    }

    /// <summary>One step: true when the next operation completed at once, false when it is pending or the pump ended.</summary>
    private bool Advance()
    {
        var error = _lane.SocketError;
        switch (_step)
        {
            case Step.Waiting:
                if (error != SocketError.Success)
                {
                    return End(EndOf(error, sending: false));
                }

                _buffer ??= _pool.Rent(_bufferSize);
                return StartReceive();

            case Step.Receiving:
                if (error != SocketError.Success)
                {
                    return End(EndOf(error, sending: false));
                }

                return Received(_lane.BytesTransferred);

            case Step.Sending:
                if (error != SocketError.Success)
                {
                    return End(EndOf(error, sending: true));
                }

                _sendStart += _lane.BytesTransferred;
                _sendLength -= _lane.BytesTransferred;
                return _sendLength > 0 ? StartSend() : Sent();

            default:
                return false;
        }
    }

    private bool StartReceive()
    {
        var offset = _processor.ReceiveOffset;
        _max = _processor.MaxReceive(_buffer!.Length - offset);
        _step = Step.Receiving;
        return !_lane.StartReceive(_from, _buffer.AsMemory(offset, _max));
    }

    private bool Received(int received)
    {
        if (received == 0)
        {
            // Once the other direction has ended, the owner closes both sockets as this one ends, and the close sends
            // the FIN: a shutdown first would only cost a system call.
            if (_to is not null && !_owner.OtherDirectionEnded(this))
            {
                ShutdownSend(_to);
            }

            return End(PumpEnd.EndOfStream);
        }

        Bytes += received;
        _received = received;
        _activity.Touch();
        _meter?.Count(received);
        if (!_processor.Process(_buffer, received, out _sendStart, out _sendLength))
        {
            // What came before the break (records a client sent ahead of an alert, say) goes on first, as TLS would.
            if (_to is null || _sendLength == 0)
            {
                return End(PumpEnd.ProtocolError);
            }

            _broken = true;
        }

        return _to is not null && _sendLength > 0 ? StartSend() : Sent();
    }

    private bool StartSend()
    {
        _step = Step.Sending;
        return !_lane.StartSend(_to!, _buffer.AsMemory(_sendStart, _sendLength));
    }

    /// <summary>The chunk is out: a full read suggests more is queued, so receive at once and keep the buffer.</summary>
    private bool Sent()
    {
        if (_broken)
        {
            return End(PumpEnd.ProtocolError);
        }

        if (_received == _max)
        {
            return StartReceive();
        }

        _pool.Return(_buffer!);
        _buffer = null;
        _processor.Rest();
        _step = Step.Waiting;
        return !_lane.StartWaitReadable(_from);
    }

    private bool End(PumpEnd end)
    {
        _step = Step.Ended;
        if (_buffer is not null)
        {
            _pool.Return(_buffer);
            _buffer = null;
        }

        _owner.PumpEnded(this, end);
        return false;
    }

    /// <summary>How a socket failure ends a direction; <paramref name="sending"/>: it came from the destination's send.</summary>
    internal static PumpEnd EndOf(Exception failure, bool sending) =>
        failure is SocketException socket ? EndOf(socket.SocketErrorCode, sending) : PumpEnd.Aborted;

    /// <summary>How a socket error ends a direction; <paramref name="sending"/>: it came from the destination's send.</summary>
    internal static PumpEnd EndOf(SocketError error, bool sending) => error switch
    {
        SocketError.OperationAborted or SocketError.Interrupted => PumpEnd.Aborted,
        _ when sending => PumpEnd.DestinationFailed,
        SocketError.ConnectionReset => PumpEnd.Reset,
        _ => PumpEnd.Failed,
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

    /// <summary>
    /// True when the direction other than <paramref name="pump"/>'s has ended at its source's end of stream, so the
    /// owner closes both sockets (sending the FIN) as soon as this one ends.
    /// </summary>
    bool OtherDirectionEnded(Pump pump) => false;
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
