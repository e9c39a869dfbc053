using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Gozar.Listening;

/// <summary>
/// A token bucket per source address: <c>burst</c> connections at once, refilled at <c>rate</c> per second. IPv6
/// addresses are grouped by /64, the block one subscriber usually holds, so rotating addresses does not escape it. A
/// connection whose client authenticates gives its token back (<see cref="Return"/>): what the bucket bounds is what
/// fails (probes, garbage, replays, wrong secrets), so the many clients behind one address of a carrier's NAT or of a
/// relay that sends no PROXY header never run it dry.
/// </summary>
public sealed class PerAddressRateLimiter
{
    private readonly ConcurrentDictionary<UInt128, Bucket> _buckets = new();
    private readonly double _rate;
    private readonly double _burst;
    private readonly TimeProvider _time;

    public PerAddressRateLimiter(int ratePerSecond, int burst, TimeProvider time)
    {
        _rate = ratePerSecond;
        _burst = burst;
        _time = time;
    }

    public int TrackedAddresses => _buckets.Count;

    public RateDecision TryTake(IPAddress address)
    {
        var now = _time.GetTimestamp();
        var bucket = _buckets.GetOrAdd(Key(address), static (_, state) => new Bucket(state.Burst, state.Now), (Burst: _burst, Now: now));
        lock (bucket)
        {
            Refill(bucket, now);
            if (bucket.Tokens < 1)
            {
                return bucket.HasClients ? RateDecision.OverRateWithClients : RateDecision.OverRate;
            }

            bucket.Tokens -= 1;
            return RateDecision.Allowed;
        }
    }

    /// <summary>
    /// Gives back a token <see cref="TryTake"/> took for <paramref name="address"/>, up to the burst. An address whose
    /// bucket has been swept (it refilled meanwhile) has nothing to get back.
    /// </summary>
    public void Return(IPAddress address)
    {
        if (!_buckets.TryGetValue(Key(address), out var bucket))
        {
            return;
        }

        lock (bucket)
        {
            Refill(bucket, _time.GetTimestamp());
            bucket.Tokens = Math.Min(_burst, bucket.Tokens + 1);
            bucket.HasClients = true;
        }
    }

    public void Sweep()
    {
        var now = _time.GetTimestamp();
        foreach (var entry in _buckets)
        {
            lock (entry.Value)
            {
                Refill(entry.Value, now);
                if (entry.Value.Tokens >= _burst)
                {
                    _buckets.TryRemove(entry);
                }
            }
        }
    }

    private void Refill(Bucket bucket, long now)
    {
        var seconds = _time.GetElapsedTime(bucket.Updated, now).TotalSeconds;
        bucket.Tokens = Math.Min(_burst, bucket.Tokens + (seconds * _rate));
        bucket.Updated = now;
    }

    private static UInt128 Key(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var written);
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            bytes[8..].Clear();
            return new UInt128(BitConverter.ToUInt64(bytes[..8]), 1);
        }

        return new UInt128(0, BitConverter.ToUInt32(bytes[..written]));
    }

    private sealed class Bucket(double tokens, long updated)
    {
        public double Tokens = tokens;
        public long Updated = updated;

        /// <summary>A client from this address authenticated since the bucket was made.</summary>
        public bool HasClients;
    }
}

/// <summary>What an address's connection rate says of its next connection.</summary>
public enum RateDecision
{
    Allowed,

    /// <summary>Over the rate.</summary>
    OverRate,

    /// <summary>
    /// Over the rate, from an address that clients also authenticated from: most likely many share it (a carrier's NAT, a
    /// relay or load balancer without PROXY header), and its handshakes in flight outnumber the burst.
    /// </summary>
    OverRateWithClients,
}
