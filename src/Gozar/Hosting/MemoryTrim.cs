namespace Gozar.Hosting;

/// <summary>
/// Decides when to give memory back to the system. A burst of handshakes leaves garbage, and gaps between the sessions
/// that stay open, in memory the GC keeps committed until it next runs; idle relays allocate nothing, so it does not run.
/// After <c>timeouts.memory_trim</c> without a new session, once enough was allocated since the last trim to be worth a
/// pause, one blocking, compacting collection returns what is free. A proxy that keeps accepting never pauses for it.
/// </summary>
internal sealed class MemoryTrim
{
    /// <summary>
    /// Bytes allocated since the last trim below which a quiet spell is left alone: the GC's own gen0 budget here, about
    /// 500 fake-TLS handshakes. Each trim then follows at least that much work, however the handshakes are spaced.
    /// </summary>
    internal const long MinimumAllocatedBytes = 4 * 1024 * 1024;

    private readonly TimeProvider _time;
    private readonly Func<long> _allocatedBytes;
    private readonly Action _collect;

    // A periodic timer's callbacks may overlap when one is late.
    private readonly Lock _ticking = new();
    private long _lastStarted = -1;
    private long _quietSince;
    private long _allocatedAtTrim;

    /// <param name="allocatedBytes">Bytes the process allocated so far (GC.GetTotalAllocatedBytes).</param>
    /// <param name="collect">The trim itself.</param>
    public MemoryTrim(TimeProvider time, Func<long> allocatedBytes, Action collect)
    {
        _time = time;
        _allocatedBytes = allocatedBytes;
        _collect = collect;
        _quietSince = time.GetTimestamp();
        _allocatedAtTrim = allocatedBytes();
    }

    /// <summary>Called now and then with the number of sessions started so far; true when it trimmed.</summary>
    /// <param name="after">How long no session may have started; zero turns trimming off.</param>
    public bool Tick(long sessionsStarted, TimeSpan after)
    {
        lock (_ticking)
        {
            return TickLocked(sessionsStarted, after);
        }
    }

    private bool TickLocked(long sessionsStarted, TimeSpan after)
    {
        var now = _time.GetTimestamp();
        if (sessionsStarted != _lastStarted)
        {
            _lastStarted = sessionsStarted;
            _quietSince = now;
            return false;
        }

        if (after <= TimeSpan.Zero || _time.GetElapsedTime(_quietSince, now) < after
            || _allocatedBytes() - _allocatedAtTrim < MinimumAllocatedBytes)
        {
            return false;
        }

        _collect();
        _allocatedAtTrim = _allocatedBytes();
        return true;
    }
}
