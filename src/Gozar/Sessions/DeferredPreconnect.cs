using Gozar.Fronting;
using Gozar.Relay;

namespace Gozar.Sessions;

/// <summary>
/// A session's <see cref="MaskPreconnect"/>, opened only once the handshake has to wait for the client. A client whose
/// bytes are all there when the session first reads them (every real client on a busy proxy, most on an idle one) is
/// decided without one: no timer, no mask connection object, no linked cancellation. A client that makes the session
/// wait meets the mask site's timers as before, started as long after the handshake began as the configured delay.
/// </summary>
/// <remarks>
/// Waits it was told of end when the handshake's bounds end or the mask site closes (or speaks) first, until the client
/// proves a secret (<see cref="Commit"/>); from then on they honour the bounds alone. While the session holds bytes the
/// site has not been sent, a wait also ends once the site's connection opens (<see cref="TakeConnected"/>).
/// </remarks>
internal sealed class DeferredPreconnect : IPendingWaitHook, IAsyncDisposable
{
    private readonly SessionContext _context;
    private readonly CancellationToken _bounds;
    private readonly long _started;
    private readonly HandshakeBuffer _handshake;
    private CancellationTokenSource? _waits;

    // The waits of a session holding bytes the site has not seen: they end also when the site's connection opens.
    private CancellationTokenSource? _waitsUntilConnected;
    private bool _opened;
    private bool _reserved;
    private bool _committed;
    private bool _connectedTold;

    /// <param name="bounds">The handshake's deadline and the proxy's shutdown.</param>
    /// <param name="handshake">What the client sent so far; the session says in <see cref="Shown"/> how much the site has.</param>
    public DeferredPreconnect(SessionContext context, CancellationToken bounds, HandshakeBuffer handshake)
    {
        _context = context;
        _bounds = bounds;
        _handshake = handshake;
        _started = context.Time.GetTimestamp();
    }

    /// <summary>The mask connection opened in advance; null until the handshake waited, or with no preconnect slot free.</summary>
    public MaskPreconnect? Current { get; private set; }

    /// <summary>How many of the client's bytes the current preconnect's site has been sent.</summary>
    public int Shown { get; set; }

    /// <summary>Opens the preconnect (if it was not yet) and has the wait end also when the mask site gives up first.</summary>
    public CancellationToken WaitPending(CancellationToken cancellation)
    {
        if (_committed)
        {
            return cancellation;
        }

        Open();
        if (_waits is null || _connectedTold || _handshake.Count == Shown)
        {
            return _waits?.Token ?? cancellation;
        }

        _waitsUntilConnected ??= CancellationTokenSource.CreateLinkedTokenSource(_bounds, Current!.Closed, Current.Connected);
        return _waitsUntilConnected.Token;
    }

    /// <summary>
    /// The preconnect, opened now (its delayed start counted from the handshake's start) unless it was already, the client
    /// has proved a secret, or every preconnect slot is taken.
    /// </summary>
    public MaskPreconnect? Open()
    {
        if (_opened || _committed)
        {
            return Current;
        }

        _opened = true;
        if (!_context.TryReservePreconnect())
        {
            return null;
        }

        _reserved = true;
        Start(_context.Options.Tls.MaskPreconnectDelay - _context.Time.GetElapsedTime(_started));
        return Current;
    }

    /// <summary>
    /// The client proved a secret: the mask site is out of the picture, so its closing no longer ends a wait, and a
    /// delayed start need not happen.
    /// </summary>
    public void Commit()
    {
        _committed = true;
        Current?.CancelDelayedStart();
    }

    /// <summary>
    /// True once, when the wait ended because the mask connection opened (and the site has not closed or spoken since):
    /// the session shows the site what the client sent so far and waits again, from now on only for the bounds and the
    /// site's close.
    /// </summary>
    public bool TakeConnected()
    {
        if (_committed || _connectedTold || Current is not { IsConnected: true } preconnect || preconnect.Closed.IsCancellationRequested)
        {
            return false;
        }

        _connectedTold = true;
        return true;
    }

    /// <summary>The site gave up before the session read bytes the client had sent: a fresh preconnect, started now.</summary>
    public async ValueTask ReplaceAsync()
    {
        await StopAsync().ConfigureAwait(false);
        Start(TimeSpan.Zero);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        if (_reserved)
        {
            _reserved = false;
            _context.ReleasePreconnect();
        }
    }

    private void Start(TimeSpan delay)
    {
        var preconnect = new MaskPreconnect(_context.DcConnector, _context.Options.Tls.MaskHost, _context.Logger);
        Current = preconnect;
        _connectedTold = false;
        Shown = 0;
        _waits = CancellationTokenSource.CreateLinkedTokenSource(_bounds, preconnect.Closed);
        preconnect.StartAfter(delay, _context.Time);
    }

    private async ValueTask StopAsync()
    {
        _waits?.Dispose();
        _waits = null;
        _waitsUntilConnected?.Dispose();
        _waitsUntilConnected = null;
        if (Current is { } preconnect)
        {
            Current = null;
            await preconnect.DisposeAsync().ConfigureAwait(false);
        }
    }
}
