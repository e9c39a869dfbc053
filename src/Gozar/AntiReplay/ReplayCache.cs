namespace Gozar.AntiReplay;

/// <summary>
/// Remembers 16-byte digests of accepted handshakes (TLS client randoms, obfuscated2 init key material) so a captured
/// handshake cannot be replayed (spec §6.2). Bounded: when full, the oldest entry is forgotten first. Storage grows
/// with use up to the bound, so an idle proxy does not pay for the whole cache.
/// </summary>
public sealed class ReplayCache
{
    public const int DigestLength = 16;

    private readonly int _capacity;
    private readonly Lock _lock = new();
    private readonly HashSet<UInt128> _seen = [];
    private readonly Queue<UInt128> _order = new();

    public ReplayCache(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _seen.Count;
            }
        }
    }

    /// <summary>Records the digest; false when it was already there (a replay).</summary>
    public bool TryAdd(ReadOnlySpan<byte> digest)
    {
        var key = new UInt128(
            BitConverter.ToUInt64(digest[..8]),
            BitConverter.ToUInt64(digest.Slice(8, 8)));
        lock (_lock)
        {
            if (!_seen.Add(key))
            {
                return false;
            }

            _order.Enqueue(key);
            if (_order.Count > _capacity)
            {
                _seen.Remove(_order.Dequeue());
            }

            return true;
        }
    }

    public bool Contains(ReadOnlySpan<byte> digest)
    {
        var key = new UInt128(
            BitConverter.ToUInt64(digest[..8]),
            BitConverter.ToUInt64(digest.Slice(8, 8)));
        lock (_lock)
        {
            return _seen.Contains(key);
        }
    }
}
