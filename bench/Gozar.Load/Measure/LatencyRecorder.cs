using System.Diagnostics;

namespace Gozar.Load.Measure;

/// <summary>Round-trip times in a preallocated array (no allocation while recording); percentiles at the end.</summary>
public sealed class LatencyRecorder
{
    private readonly long[] _ticks;
    private int _count;

    public LatencyRecorder(int capacity) => _ticks = new long[capacity];

    /// <summary>Samples recorded, including any beyond the capacity that were counted but not kept.</summary>
    public int Count => Volatile.Read(ref _count);

    public void Record(long startTimestamp)
    {
        var elapsed = Stopwatch.GetTimestamp() - startTimestamp;
        var index = Interlocked.Increment(ref _count) - 1;
        if (index < _ticks.Length)
        {
            _ticks[index] = elapsed;
        }
    }

    /// <summary>The given percentile (0..100) in microseconds; 0 with no samples.</summary>
    public double PercentileMicroseconds(double percentile)
    {
        var kept = Math.Min(Count, _ticks.Length);
        if (kept == 0)
        {
            return 0;
        }

        var samples = _ticks.AsSpan(0, kept);
        samples.Sort();
        var index = (int)Math.Clamp(Math.Ceiling(percentile / 100 * kept) - 1, 0, kept - 1);
        return samples[index] * 1_000_000.0 / Stopwatch.Frequency;
    }
}
