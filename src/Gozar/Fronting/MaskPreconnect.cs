using System.Net.Sockets;
using Gozar.Configuration;
using Gozar.Diagnostics;
using Gozar.Upstream;
using Microsoft.Extensions.Logging;

namespace Gozar.Fronting;

/// <summary>
/// A connection to the mask host opened shortly after a client connects, before it is known whether the client will
/// authenticate; a session opens one only once its handshake has to wait for the client (see DeferredPreconnect). A prober who sends nothing, or stops mid-hello, then meets the mask site's own timers, started at
/// about the time they would have started had the prober reached the site directly. If the mask site closes (or
/// speaks) first, <see cref="Closed"/> fires so the session can hand the client over at once. Dropped unused when the
/// client authenticates.
/// </summary>
public sealed class MaskPreconnect : IAsyncDisposable
{
    private readonly Connector _connector;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _closed = new();
    private readonly CancellationTokenSource _connected = new();
    private readonly Lock _lock = new();
    private ITimer? _timer;
    private Task<ConnectResult>? _connecting;
    private Task? _watch;
    private bool _taken;

    public MaskPreconnect(Connector connector, HostEndpoint host, ILogger logger)
    {
        _connector = connector;
        _logger = logger;
        Host = host;
    }

    public HostEndpoint Host { get; }

    /// <summary>Cancelled when the mask site closed or sent something while the client was still handshaking.</summary>
    public CancellationToken Closed => _closed.Token;

    /// <summary>Cancelled once the connection to the mask site is open (a failed connect never cancels it).</summary>
    public CancellationToken Connected => _connected.Token;

    public bool IsConnected => _connected.IsCancellationRequested;

    public void StartAfter(TimeSpan delay, TimeProvider time)
    {
        if (delay <= TimeSpan.Zero)
        {
            Start();
        }
        else
        {
            _timer = time.CreateTimer(static state => ((MaskPreconnect)state!).Start(), this, delay, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>
    /// The client proved it knows a secret: the delayed start is called off, so a handshake slower than the delay
    /// (a busy proxy) does not open a mask connection only to drop it. <see cref="PeekAsync"/> and
    /// <see cref="TakeAsync"/> still connect on demand.
    /// </summary>
    public void CancelDelayedStart() => _timer?.Dispose();

    private void Start()
    {
        lock (_lock)
        {
            _connecting ??= ConnectAsync();
        }
    }

    private async Task<ConnectResult> ConnectAsync()
    {
        var result = await _connector.ConnectAsync([Host], _stop.Token).ConfigureAwait(false);
        if (result.Socket is not null)
        {
            _watch = WatchAsync(result.Socket);
            _connected.Cancel();
        }

        return result;
    }

    /// <remarks>
    /// The zero-byte receive is never cancelled: cancelling a pending receive is not prompt on every platform, and
    /// once the session owns the socket, an outstanding zero-byte receive consumes nothing and is simply ignored.
    /// </remarks>
    private async Task WatchAsync(Socket socket)
    {
        try
        {
            await socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }

        if (!Volatile.Read(ref _taken) && !_stop.IsCancellationRequested)
        {
            _closed.Cancel();

            // After the cancel: whoever reads this line knows the session has been told.
            Log.MaskClosedFirst(_logger, Host.ToString());
        }
    }

    /// <summary>
    /// The mask connection, opened now if it was not yet, while the session still decides: bytes a client sent so
    /// far may be mirrored to it, and an answer or close from the site still fires <see cref="Closed"/>. The wait for a
    /// slow or silent site ends with <paramref name="cancellation"/> (the handshake's deadline), not the connect timeout.
    /// </summary>
    public async ValueTask<Socket?> PeekAsync(CancellationToken cancellation)
    {
        Start();
        return (await _connecting!.WaitAsync(cancellation).ConfigureAwait(false)).Socket;
    }

    /// <summary>
    /// The mask connection, opened now if it was not yet; the caller owns the socket from here. Cancelling ends the wait
    /// only: the connection is then not taken, and <see cref="DisposeAsync"/> closes it.
    /// </summary>
    public async ValueTask<ConnectResult> TakeAsync(CancellationToken cancellation = default)
    {
        Start();
        _timer?.Dispose();
        var result = await _connecting!.WaitAsync(cancellation).ConfigureAwait(false);
        Volatile.Write(ref _taken, true);
        return result;
    }

    public async ValueTask DisposeAsync()
    {
        _timer?.Dispose();
        await _stop.CancelAsync().ConfigureAwait(false);
        Task<ConnectResult>? connecting;
        lock (_lock)
        {
            connecting = _connecting;
        }

        if (!Volatile.Read(ref _taken) && connecting is not null)
        {
            await ((Task)connecting).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (connecting.IsCompletedSuccessfully)
            {
                connecting.Result.Socket?.Dispose();
            }

            if (_watch is not null)
            {
                await _watch.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        _stop.Dispose();
        _closed.Dispose();
        _connected.Dispose();
    }
}
