namespace Gozar.Diagnostics;

/// <summary>
/// Lets a warning that every connection can repeat (a DC or the mask host down, a client's unknown DC) through at most
/// once per <see cref="Interval"/> for each event and subject, and counts the ones it holds back so that the next line
/// that passes says how many there were. An outage then shows in the log at once and again every interval, not once
/// per client: a flood of probes while the mask host is down would otherwise write a warning per probe. The metrics
/// count every one.
/// </summary>
public sealed class LogGate
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    // Subjects are DC ids (a client may make one up) and host names: past this many, entries whose interval is over
    // are dropped, and if every one is still fresh the oldest go with them.
    internal const int MaxEntries = 256;

    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly Dictionary<(int Event, int Subject), Entry> _entries = [];

    public LogGate(TimeProvider time)
    {
        _time = time;
    }

    /// <summary>
    /// True when the line of <paramref name="eventId"/> about <paramref name="subject"/> should be written now;
    /// <paramref name="held"/> is then how many were held back since the last one that was.
    /// </summary>
    public bool TryPass(int eventId, int subject, out long held)
    {
        var now = _time.GetTimestamp();
        var key = (eventId, subject);
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out var entry))
            {
                if (_time.GetElapsedTime(entry.Passed, now) < Interval)
                {
                    _entries[key] = entry with { Held = entry.Held + 1 };
                    held = 0;
                    return false;
                }

                held = entry.Held;
            }
            else
            {
                held = 0;
                if (_entries.Count >= MaxEntries)
                {
                    Prune(now);
                }
            }

            _entries[key] = new Entry(now, 0);
            return true;
        }
    }

    internal int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    private void Prune(long now)
    {
        var oldest = (Key: default((int, int)), Passed: long.MaxValue);
        foreach (var (key, entry) in _entries)
        {
            if (_time.GetElapsedTime(entry.Passed, now) >= Interval)
            {
                _entries.Remove(key);
            }
            else if (entry.Passed < oldest.Passed)
            {
                oldest = (key, entry.Passed);
            }
        }

        if (_entries.Count >= MaxEntries)
        {
            _entries.Remove(oldest.Key);
        }
    }

    private readonly record struct Entry(long Passed, long Held);
}
