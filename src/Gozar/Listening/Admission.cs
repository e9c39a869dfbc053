using System.Net;
using Gozar.Configuration;
using Gozar.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gozar.Listening;

/// <summary>
/// Who may come in: bounds on open connections and on connections still handshaking (at either limit the listeners
/// stop accepting, so new clients wait in the kernel's backlog instead of costing memory), and a per-address rate.
/// </summary>
public sealed class Admission
{
    private readonly SemaphoreSlim _connections;
    private readonly SemaphoreSlim _handshakes;
    private readonly PerAddressRateLimiter? _rate;
    private readonly int _maxConnections;
    private readonly int _maxHandshakes;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _retired = new();

    // Refusals of addresses that also carry clients since the last warning of them, and when that was (0: never).
    private long _sharedRefusals;
    private long _sharedWarned;

    /// <summary>How often, at most, a shared address over its rate is logged: the first at once, then a count.</summary>
    public static readonly TimeSpan SharedAddressWarningInterval = TimeSpan.FromMinutes(5);

    public Admission(LimitOptions limits, TimeProvider time, ILogger? logger = null)
    {
        _logger = logger ?? NullLogger.Instance;
        _time = time;
        _maxConnections = limits.MaxConnections;
        _maxHandshakes = limits.MaxHandshakes;
        _connections = new SemaphoreSlim(limits.MaxConnections, limits.MaxConnections);
        _handshakes = new SemaphoreSlim(limits.MaxHandshakes, limits.MaxHandshakes);
        _rate = limits.PerIpRate > 0 ? new PerAddressRateLimiter(limits.PerIpRate, limits.PerIpBurst, time) : null;
    }

    public int OpenConnections => _maxConnections - _connections.CurrentCount;

    public int Handshaking => _maxHandshakes - _handshakes.CurrentCount;

    /// <summary>True when connections are counted per address (limits.per_ip_rate is not 0).</summary>
    public bool LimitsRate => _rate is not null;

    /// <summary>Cancelled once a reload replaced these bounds: an accept loop waiting for room here moves to the new ones.</summary>
    public CancellationToken Retired => _retired.Token;

    /// <summary>A reload replaced these bounds; the sessions that took slots here still give them back here.</summary>
    public void Retire() => _retired.Cancel();

    /// <summary>Waits until one more connection, and one more handshake, fit.</summary>
    public async ValueTask WaitForRoomAsync(CancellationToken cancellation)
    {
        await _connections.WaitAsync(cancellation).ConfigureAwait(false);
        try
        {
            await _handshakes.WaitAsync(cancellation).ConfigureAwait(false);
        }
        catch
        {
            _connections.Release();
            throw;
        }
    }

    public void HandshakeEnded() => _handshakes.Release();

    public void ConnectionEnded() => _connections.Release();

    /// <summary>False when the address opened more connections than its rate allows.</summary>
    public bool AllowsNewConnectionFrom(IPAddress? address)
    {
        if (_rate is null || address is null)
        {
            return true;
        }

        var decision = _rate.TryTake(address);
        if (decision == RateDecision.OverRateWithClients)
        {
            WarnOfSharedAddress();
        }

        return decision == RateDecision.Allowed;
    }

    /// <summary>
    /// Clients behind one address the limit sees (a relay without PROXY header, a carrier's NAT) look like a broken
    /// proxy to their users once their handshakes in flight outnumber the burst; the operator hears of it at once.
    /// </summary>
    private void WarnOfSharedAddress()
    {
        Interlocked.Increment(ref _sharedRefusals);
        var now = _time.GetTimestamp();
        var last = Interlocked.Read(ref _sharedWarned);
        if ((last != 0 && _time.GetElapsedTime(last, now) < SharedAddressWarningInterval)
            || Interlocked.CompareExchange(ref _sharedWarned, now, last) != last)
        {
            return;
        }

        Log.SharedAddressOverRate(_logger, Interlocked.Exchange(ref _sharedRefusals, 0));
    }

    /// <summary>
    /// The connection from <paramref name="address"/> that <see cref="AllowsNewConnectionFrom"/> let in authenticated: it
    /// no longer counts against the address's rate.
    /// </summary>
    public void Authenticated(IPAddress? address)
    {
        if (address is not null)
        {
            _rate?.Return(address);
        }
    }

    /// <summary>Forgets addresses whose bucket has refilled: keeps the table as small as the set of recent clients.</summary>
    public void Sweep() => _rate?.Sweep();
}
