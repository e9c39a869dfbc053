using System.Net.Sockets;

namespace Gozar.Relay;

/// <summary>
/// The client-to-site direction of a mask relay. Once the site has closed its sending side, what the client still
/// sends goes on as before (a site that only half-closed reads it), but a site that closed its socket answers it with a
/// reset that no receive reports any more: the site-to-client direction has ended, and on Linux a receive after the FIN
/// says end of stream even once a reset came. So from the site's FIN on, each forward sets off a short run of checks of
/// the site socket's pending error, and one found resets the client as the site would have.
/// </summary>
/// <remarks>
/// The site's reset comes a round trip after the bytes it answers, and the site may be far away: the checks start
/// <see cref="FirstCheck"/> after a forward and each waits twice as long as the one before, <see cref="Checks"/> in all
/// (about 2 s), so a reset is passed on within about the time already waited for it, and a connection that then idles
/// runs nothing. Before the site's FIN a chunk costs one field read more than a plain pass-through.
/// </remarks>
public sealed class MaskForwardProcessor : ChunkProcessor, IDisposable
{
    internal static readonly TimeSpan FirstCheck = TimeSpan.FromMilliseconds(2);
    internal const int Checks = 10;

    private readonly Socket _site;
    private readonly TimeProvider _time;
    private readonly Action _siteReset;
    private readonly Lock _gate = new();
    private ITimer? _timer;
    private bool _siteEnded;

    // Set by a forward that restarted the checks from the first, cleared by the next check: until then further forwards
    // have nothing to add, so a client streaming to a half-closed site takes the lock at most once per check.
    private bool _restarted;
    private int _check;
    private bool _disposed;

    /// <param name="site">The mask site's socket, only ever asked for its pending error.</param>
    /// <param name="siteReset">Resets the client and ends the session; called at most once, from a timer.</param>
    public MaskForwardProcessor(Socket site, TimeProvider time, Action siteReset)
    {
        _site = site;
        _time = time;
        _siteReset = siteReset;
    }

    public override bool Process(Span<byte> buffer, int received, out int sendStart, out int sendLength)
    {
        sendStart = 0;
        sendLength = received;
        if (Volatile.Read(ref _siteEnded) && !Volatile.Read(ref _restarted))
        {
            Restart();
        }

        return true;
    }

    /// <summary>
    /// The site closed its sending side. Also checks at once for bytes forwarded before the FIN was read: a site that
    /// closed with them unread resets them, as it would have reset the client.
    /// </summary>
    public void SiteEnded()
    {
        Volatile.Write(ref _siteEnded, true);
        Restart();
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _timer?.Dispose();
        }
    }

    private void Restart()
    {
        lock (_gate)
        {
            if (_disposed || _restarted)
            {
                return;
            }

            Volatile.Write(ref _restarted, true);
            _check = 0;
            _timer ??= _time.CreateTimer(static state => ((MaskForwardProcessor)state!).Check(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _timer.Change(FirstCheck, Timeout.InfiniteTimeSpan);
        }
    }

    private void Check()
    {
        int error;
        try
        {
            error = (int)_site.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error)!;
        }
        catch (Exception e) when (e is ObjectDisposedException or SocketException)
        {
            // The session closed the socket: it is ending anyway.
            return;
        }

        if (error != 0)
        {
            _siteReset();
            return;
        }

        lock (_gate)
        {
            Volatile.Write(ref _restarted, false);
            if (_disposed || ++_check == Checks)
            {
                return;
            }

            _timer!.Change(FirstCheck * (1 << _check), Timeout.InfiniteTimeSpan);
        }
    }
}
