using Gozar.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Gozar.Tests.Hosting;

public sealed class MemoryTrimTests
{
    private static readonly TimeSpan After = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);
    private const long BurstBytes = 64 * 1024 * 1024;

    private readonly FakeTimeProvider _time = new();
    private readonly MemoryTrim _trim;
    private long _allocated;
    private int _collections;

    public MemoryTrimTests() => _trim = new(_time, () => _allocated, () => _collections++);

    [Fact]
    public void Tick_QuietAfterABurst_TrimsOnceWhenTheQuietLastedLongEnough()
    {
        Burst(started: 1000, BurstBytes);

        Assert.Equal([false, true, false], TicksAfter(1000, 3));
        Assert.Equal(1, _collections);
    }

    [Fact]
    public void Tick_SessionsKeepStarting_NeverTrims()
    {
        for (var started = 1; started <= 100; started++)
        {
            _time.Advance(Tick);
            Burst(started, 1024 * 1024);
        }

        Assert.Equal(0, _collections);
    }

    [Fact]
    public void Tick_QuietButLittleAllocatedSinceTheLastTrim_LeavesItAlone()
    {
        Burst(1000, BurstBytes);
        TicksAfter(1000, 2);

        // A few more sessions, well under the minimum: not worth another pause.
        Burst(1010, MemoryTrim.MinimumAllocatedBytes / 2);

        Assert.Equal([false, false, false], TicksAfter(1010, 3));
        Assert.Equal(1, _collections);
    }

    [Fact]
    public void Tick_ANewBurstAfterATrim_TrimsAgainOnceQuiet()
    {
        Burst(1000, BurstBytes);
        TicksAfter(1000, 2);
        Burst(2000, MemoryTrim.MinimumAllocatedBytes);

        Assert.Equal([false, true], TicksAfter(2000, 2));
        Assert.Equal(2, _collections);
    }

    [Fact]
    public void Tick_TurnedOff_NeverTrims()
    {
        _allocated += BurstBytes;
        _trim.Tick(1000, TimeSpan.Zero);
        _time.Advance(TimeSpan.FromMinutes(10));

        Assert.False(_trim.Tick(1000, TimeSpan.Zero));
        Assert.Equal(0, _collections);
    }

    /// <summary>Sessions up to <paramref name="started"/> arrived, allocating <paramref name="bytes"/>: never a trim then.</summary>
    private void Burst(long started, long bytes)
    {
        _allocated += bytes;
        Assert.False(_trim.Tick(started, After));
    }

    /// <summary>Whether each of <paramref name="count"/> one-second ticks with no new session trimmed.</summary>
    private bool[] TicksAfter(long started, int count)
    {
        var trimmed = new bool[count];
        for (var i = 0; i < count; i++)
        {
            _time.Advance(Tick);
            trimmed[i] = _trim.Tick(started, After);
        }

        return trimmed;
    }
}
