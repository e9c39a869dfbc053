using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks.Sources;

namespace Gozar.Relay;

/// <summary>
/// One socket operation at a time, on whichever socket the session hands it: a session owns one lane per direction
/// and does every receive, send and connect of its client and DC sockets through them. Without it each .NET socket
/// creates and keeps a cached event args object for receives and another for sends on first use (four per relayed
/// connection, with their completion delegates about 1.4 KiB), where two lanes do the same work. As Kestrel's socket
/// transport does with its own receiver and sender.
/// </summary>
/// <remarks>
/// Two ways to use it: awaiting its operations (the handshake, the connect), or, once a <see cref="ILaneListener"/> is
/// attached (a pump), starting them with the Start methods and hearing of each completion that did not happen at once,
/// which needs no async state machine per direction.
/// Only a wait for readability (<see cref="WaitReadableAsync"/>, a zero-byte receive) can be cancelled: the caller's
/// await ends at once, while the receive itself stays pending on the socket, since a socket operation cannot be
/// called off without closing the socket. It consumes no data, so the lane's next wait simply takes it over; any
/// other operation started meanwhile is a bug and throws.
/// </remarks>
public sealed class SocketLane : SocketAsyncEventArgs, IValueTaskSource<int>
{
    private const int Idle = 0;
    private const int Awaited = 1;
    private const int Abandoned = 2;

    private static readonly Action<object?> CancelWaitCallback = static lane => ((SocketLane)lane!).CancelWait();

    private ManualResetValueTaskSourceCore<int> _core;
    private ILaneListener? _listener;
    private CancellationTokenRegistration _registration;
    private CancellationToken _waitCancellation;

    /// <summary><see cref="Idle"/>, or who gets the pending operation's result: its awaiter, or nobody.</summary>
    private int _state;

    public SocketLane()
        : base(unsafeSuppressExecutionContextFlow: true)
    {
    }

    /// <summary>Sends <paramref name="data"/>: the byte count sent; a failure throws <see cref="SocketException"/>.</summary>
    public ValueTask<int> SendAsync(Socket socket, ReadOnlyMemory<byte> data)
    {
        // The send only reads the buffer; SocketAsyncEventArgs takes a writable one for both directions.
        Begin(System.Runtime.InteropServices.MemoryMarshal.AsMemory(data));
        return Started(socket, static (s, lane) => s.SendAsync(lane));
    }

    /// <summary>Connects <paramref name="socket"/>; a failure throws <see cref="SocketException"/>. Dispose the socket to call it off.</summary>
    public ValueTask<int> ConnectAsync(Socket socket, EndPoint endpoint)
    {
        Begin(Memory<byte>.Empty);
        RemoteEndPoint = endpoint;
        return Started(socket, static (s, lane) => s.ConnectAsync(lane));
    }

    /// <summary>
    /// Completes when <paramref name="socket"/> has data to read, has reached its end, or failed. Cancelling ends the
    /// await with <see cref="OperationCanceledException"/>; the next wait on this lane takes over the pending receive.
    /// </summary>
    /// <param name="pending">
    /// Told when the wait does not complete at once, before its cancellation is registered; the token it returns is the
    /// one the wait honours. What a wait needs only when it really waits is set up there, not for every read.
    /// </param>
    public ValueTask<int> WaitReadableAsync(Socket socket, CancellationToken cancellation = default, IPendingWaitHook? pending = null)
    {
        if (Interlocked.CompareExchange(ref _state, Awaited, Abandoned) != Abandoned)
        {
            Begin(Memory<byte>.Empty);
            var started = Started(socket, static (s, lane) => s.ReceiveAsync(lane));
            if (started.IsCompleted)
            {
                return started;
            }
        }

        if (pending is not null)
        {
            cancellation = pending.WaitPending(cancellation);
        }

        if (!cancellation.CanBeCanceled)
        {
            return new ValueTask<int>(this, _core.Version);
        }

        // Registered after the start: a completion in between has already set the result, and the callback then finds
        // nothing to cancel. GetResult disposes the registration.
        _waitCancellation = cancellation;
        _registration = cancellation.UnsafeRegister(CancelWaitCallback, this);
        return new ValueTask<int>(this, _core.Version);
    }

    /// <summary>From now on every completion that does not happen at once goes to <paramref name="listener"/>.</summary>
    public void Attach(ILaneListener listener) => _listener = listener;

    /// <summary>
    /// Starts waiting until <paramref name="socket"/> is readable, taking over a wait that was cancelled earlier. True:
    /// pending, the listener hears of it; false: done now, the result is in <see cref="SocketAsyncEventArgs.SocketError"/>.
    /// </summary>
    public bool StartWaitReadable(Socket socket)
    {
        if (Interlocked.CompareExchange(ref _state, Awaited, Abandoned) == Abandoned)
        {
            return true;
        }

        Begin(Memory<byte>.Empty);
        return Start(socket, static (s, lane) => s.ReceiveAsync(lane));
    }

    /// <summary>As <see cref="StartWaitReadable"/>, for a receive into <paramref name="buffer"/> (the count in <see cref="SocketAsyncEventArgs.BytesTransferred"/>).</summary>
    public bool StartReceive(Socket socket, Memory<byte> buffer)
    {
        Begin(buffer);
        return Start(socket, static (s, lane) => s.ReceiveAsync(lane));
    }

    /// <summary>As <see cref="StartWaitReadable"/>, for a send of <paramref name="data"/>.</summary>
    public bool StartSend(Socket socket, ReadOnlyMemory<byte> data)
    {
        Begin(System.Runtime.InteropServices.MemoryMarshal.AsMemory(data));
        return Start(socket, static (s, lane) => s.SendAsync(lane));
    }

    private bool Start(Socket socket, Func<Socket, SocketLane, bool> start)
    {
        try
        {
            if (start(socket, this))
            {
                return true;
            }
        }
        catch (ObjectDisposedException)
        {
            // Closed by the session (abort, the other direction's failure): as if the operation had been aborted.
            SocketError = SocketError.OperationAborted;
        }
        catch
        {
            Volatile.Write(ref _state, Idle);
            throw;
        }

        Volatile.Write(ref _state, Idle);
        return false;
    }

    private void Begin(Memory<byte> buffer)
    {
        // Set before the operation starts: its completion may run on another thread before the start returns.
        if (Interlocked.CompareExchange(ref _state, Awaited, Idle) != Idle)
        {
            throw new InvalidOperationException("The socket lane still has an operation pending.");
        }

        SetBuffer(buffer);
    }

    private ValueTask<int> Started(Socket socket, Func<Socket, SocketLane, bool> start)
    {
        if (Start(socket, start))
        {
            return new ValueTask<int>(this, _core.Version);
        }

        return SocketError == SocketError.Success
            ? new ValueTask<int>(BytesTransferred)
            : ValueTask.FromException<int>(new SocketException((int)SocketError));
    }

    protected override void OnCompleted(SocketAsyncEventArgs e)
    {
        var previous = Interlocked.Exchange(ref _state, Idle);
        if (previous == Abandoned)
        {
            return;
        }

        if (_listener is { } listener)
        {
            listener.OperationCompleted();
            return;
        }

        if (SocketError == SocketError.Success)
        {
            _core.SetResult(BytesTransferred);
        }
        else
        {
            _core.SetException(new SocketException((int)SocketError));
        }
    }

    private void CancelWait()
    {
        if (Interlocked.CompareExchange(ref _state, Abandoned, Awaited) == Awaited)
        {
            // Not inline: the awaiter would go on inside CancellationTokenSource.Cancel, perhaps disposing that very source.
            ThreadPool.UnsafeQueueUserWorkItem(
                static lane => lane._core.SetException(new OperationCanceledException(lane._waitCancellation)), this, preferLocal: false);
        }
    }

    int IValueTaskSource<int>.GetResult(short token)
    {
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            _core.Reset();
            _registration.Dispose();
            _registration = default;
            _waitCancellation = default;
        }
    }

    ValueTaskSourceStatus IValueTaskSource<int>.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource<int>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}

/// <summary>Hears of a <see cref="SocketLane"/>'s operations that completed later than their start.</summary>
public interface ILaneListener
{
    /// <summary>The result is on the lane; called on the thread that completed it.</summary>
    void OperationCompleted();
}

/// <summary>Hears that a wait for readability on a <see cref="SocketLane"/> did not complete at once.</summary>
public interface IPendingWaitHook
{
    /// <summary>Returns the token the pending wait is to honour in place of <paramref name="cancellation"/>.</summary>
    CancellationToken WaitPending(CancellationToken cancellation);
}
