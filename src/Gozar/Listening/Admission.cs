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
    private readonly Occupancy _occupancy;
    private readonly PerAddressRateLimiter? _rate;
    private readonly IReadOnlyList<IPNetwork> _exempt;
    private readonly int _perIpRate;
    private readonly int _perIpBurst;
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

    /// <param name="previous">
    /// The bounds these replace (a reload): the connections and handshakes they count go on counting here, and their
    /// per-address rate carries over when its settings stay.
    /// </param>
    public Admission(LimitOptions limits, TimeProvider time, ILogger? logger = null, Admission? previous = null)
    {
        _logger = logger ?? NullLogger.Instance;
        _time = time;
        _maxConnections = limits.MaxConnections;
        _maxHandshakes = limits.MaxHandshakes;
        _perIpRate = limits.PerIpRate;
        _perIpBurst = limits.PerIpBurst;
        _exempt = limits.PerIpExempt;
        _occupancy = previous?._occupancy ?? new Occupancy();
        _rate = limits.PerIpRate <= 0 ? null
            : previous is not null && previous._perIpRate == _perIpRate && previous._perIpBurst == _perIpBurst ? previous._rate
            : new PerAddressRateLimiter(limits.PerIpRate, limits.PerIpBurst, time);
    }

    /// <summary>Connections open now, whichever bounds they came in under.</summary>
    public int OpenConnections => _occupancy.Connections;

    /// <summary>Connections still in their handshake now, whichever bounds they came in under.</summary>
    public int Handshaking => _occupancy.Handshakes;

    /// <summary>True when connections are counted per address (limits.per_ip_rate is not 0).</summary>
    public bool LimitsRate => _rate is not null;

    /// <summary>Cancelled once a reload replaced these bounds: an accept loop waiting for room here moves to the new ones.</summary>
    public CancellationToken Retired => _retired.Token;

    /// <summary>A reload replaced these bounds; the sessions that took slots here go on counting against the new ones.</summary>
    public void Retire() => _retired.Cancel();

    /// <summary>
    /// Waits until one more connection, and one more handshake, fit, and takes neither: a listener waiting for its next
    /// client holds no slot that a client of another listener needs.
    /// </summary>
    public ValueTask WaitForRoomAsync(CancellationToken cancellation) =>
        cancellation.IsCancellationRequested ? ValueTask.FromCanceled(cancellation)
        : _occupancy.HasRoom(_maxConnections, _maxHandshakes) ? ValueTask.CompletedTask
        : WaitForReleaseAsync(cancellation);

    private async ValueTask WaitForReleaseAsync(CancellationToken cancellation)
    {
        while (true)
        {
            // Asked for before looking again: a slot given back in between completes it.
            var released = _occupancy.NextRelease();
            if (_occupancy.HasRoom(_maxConnections, _maxHandshakes))
            {
                return;
            }

            await released.WaitAsync(cancellation).ConfigureAwait(false);
        }
    }

    /// <summary>Takes one connection slot and one handshake slot, if both fit; false: neither is taken.</summary>
    public bool TryEnter() => _occupancy.TryTake(_maxConnections, _maxHandshakes);

    public void HandshakeEnded() => _occupancy.Release(Occupancy.Handshake);

    public void ConnectionEnded() => _occupancy.Release(Occupancy.Connection);

    /// <summary>False when the address opened more connections than its rate allows.</summary>
    public bool AllowsNewConnectionFrom(IPAddress? address)
    {
        if (_rate is null || address is null || IsExempt(address))
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
        if (address is not null && _rate is not null && !IsExempt(address))
        {
            _rate.Return(address);
        }
    }

    private bool IsExempt(IPAddress address) => NetworkList.Contains(_exempt, address);

    /// <summary>Forgets addresses whose bucket has refilled: keeps the table as small as the set of recent clients.</summary>
    public void Sweep() => _rate?.Sweep();

    /// <summary>
    /// Connections open and handshakes in progress: one count handed from each Admission to the next, so that sessions
    /// that came in before a reload count against the limits after it, and their slots given back make room there.
    /// </summary>
    private sealed class Occupancy
    {
        public const long Handshake = 1;
        public const long Connection = 1L << 32;

        // Connections in the high half, handshakes in the low one: a client takes one of each in a single step, so it
        // never holds one while it waits for the other.
        private long _counts;
        private TaskCompletionSource? _released;

        public int Connections => (int)(Volatile.Read(ref _counts) >> 32);

        public int Handshakes => (int)(Volatile.Read(ref _counts) & uint.MaxValue);

        public bool HasRoom(int maxConnections, int maxHandshakes) => Fits(Volatile.Read(ref _counts), maxConnections, maxHandshakes);

        public bool TryTake(int maxConnections, int maxHandshakes)
        {
            var counts = Volatile.Read(ref _counts);
            while (Fits(counts, maxConnections, maxHandshakes))
            {
                var seen = Interlocked.CompareExchange(ref _counts, counts + Connection + Handshake, counts);
                if (seen == counts)
                {
                    return true;
                }

                counts = seen;
            }

            return false;
        }

        private static bool Fits(long counts, int maxConnections, int maxHandshakes) =>
            (int)(counts >> 32) < maxConnections && (int)(counts & uint.MaxValue) < maxHandshakes;

        public void Release(long slot)
        {
            // The full fence of the add orders it before the read below: a waiter either sees the new count when it
            // looks again, or its task is in _released by now and completes here.
            Interlocked.Add(ref _counts, -slot);
            if (Volatile.Read(ref _released) is { } released && Interlocked.CompareExchange(ref _released, null, released) == released)
            {
                released.TrySetResult();
            }
        }

        /// <summary>Completes at the next slot given back; one task for every waiter, made only when someone waits.</summary>
        public Task NextRelease()
        {
            if (Volatile.Read(ref _released) is { } released)
            {
                return released.Task;
            }

            var fresh = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return (Interlocked.CompareExchange(ref _released, fresh, null) ?? fresh).Task;
        }
    }
}
