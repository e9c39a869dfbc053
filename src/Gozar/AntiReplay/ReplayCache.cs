namespace Gozar.AntiReplay;

/// <summary>
/// Remembers 16-byte digests of accepted handshakes (TLS client randoms, obfuscated2 init key material) so a captured
/// handshake cannot be replayed (spec §6.2).
/// </summary>
/// <remarks>
/// Two generations of at most capacity/2 entries each. A digest is looked up in both; new ones go into the current
/// generation, which becomes the previous one once it is full or older than the window. So every digest is kept at
/// least one window (the clock-skew window that bounds how old a replayed hello can be) unless more than capacity/2
/// handshakes arrive within a window; then the oldest go first and <see cref="EarlyEvictions"/> counts it. Without a
/// window (digests with no time in them, or hellos when the clock check is off) nothing bounds a replay's age, so
/// digests stay until capacity pushes them out.
/// Memory never exceeds capacity entries, and storage grows with use, so an idle proxy does not pay for the bound. A
/// generation's storage is reused by the next one when that is about as busy, so a busy proxy does not reallocate it
/// (in the large object heap, once a generation holds a few thousand digests) at every rotation.
/// </remarks>
public sealed class ReplayCache
{
    public const int DigestLength = 16;

    private int _generationCapacity;
    private TimeSpan? _window;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    // 64 bits of each digest, folded from its 128: a fresh handshake is taken for a replay with odds of one in 2^64 per
    // digest kept (under 10^-13 at a million), and a million keys take 27 MB instead of the 48 of 16-byte keys (whose
    // hash set entries are 32 bytes with the 16-byte alignment of UInt128).
    private HashSet<ulong> _current = [];
    private HashSet<ulong> _previous = [];
    private long _currentStarted;

    /// <param name="window">How long a digest must be kept at least; null: until capacity pushes it out.</param>
    public ReplayCache(int capacity, TimeSpan? window, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 2);
        _generationCapacity = capacity / 2;
        _window = window;
        _time = time;
        _currentStarted = time.GetTimestamp();
    }

    /// <summary>
    /// New settings from a reload, keeping every digest: a smaller capacity takes effect at the next rotation, a window
    /// from the next digest on.
    /// </summary>
    public ReplayCache Reconfigure(int capacity, TimeSpan? window)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 2);
        lock (_lock)
        {
            _generationCapacity = capacity / 2;
            _window = window;
        }

        return this;
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _current.Count + _previous.Count;
            }
        }
    }

    /// <summary>Digests both generations have storage for without growing.</summary>
    internal int StorageCapacity
    {
        get
        {
            lock (_lock)
            {
                return _current.Capacity + _previous.Capacity;
            }
        }
    }

    /// <summary>Generations retired because they filled up before the window passed.</summary>
    public long EarlyEvictions { get; private set; }

    /// <summary>Records the digest; false when it was already there (a replay).</summary>
    public bool TryAdd(ReadOnlySpan<byte> digest)
    {
        var key = ToKey(digest);
        lock (_lock)
        {
            // Two lookups for a new digest: the previous generation here, the current one by its Add below.
            if (_previous.Contains(key))
            {
                return false;
            }

            var full = _current.Count >= _generationCapacity;
            var aged = _window is { } window && _time.GetElapsedTime(_currentStarted) >= window;
            if (full || aged)
            {
                if (full && !aged && _window is not null)
                {
                    EarlyEvictions++;
                }

                (_previous, _current) = (_current, _previous);
                _current.Clear();

                // The next generation will likely see as many handshakes as the one just retired: keep storage for that
                // many, and give back what a quieter proxy no longer needs.
                var expected = _previous.Count;
                if (_current.Capacity > 2 * expected)
                {
                    _current.TrimExcess(expected);
                }

                _currentStarted = _time.GetTimestamp();

                // The retired current generation is the previous one now, and was not looked at yet.
                if (_previous.Contains(key))
                {
                    return false;
                }
            }

            return _current.Add(key);
        }
    }

    private static ulong ToKey(ReadOnlySpan<byte> digest) =>
        BitConverter.ToUInt64(digest[..8]) ^ BitConverter.ToUInt64(digest.Slice(8, 8));
}
