using Gozar.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Gozar.Tests.Hosting;

public sealed class MemoryTrimTests
{
    private static readonly TimeSpan After = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);

    private readonly FakeTimeProvider _time = new();
    private long _allocated;
    private int _collections;

    private MemoryTrim NewTrim() => new(_time, () => _allocated, () => _collections++);

    [Fact]
    public void Tick_QuietAfterABurst_TrimsOnceWhenTheQuietLastedLongEnough()
    {
        var trim = NewTrim();
        _allocated += 64 * 1024 * 1024;
        trim.Tick(sessionsStarted: 1000, After);

        _time.Advance(Tick);
        Assert.False(trim.Tick(1000, After));
        _time.Advance(Tick);
        Assert.True(trim.Tick(1000, After));
        _time.Advance(Tick);
        Assert.False(trim.Tick(1000, After));

        Assert.Equal(1, _collections);
    }

    [Fact]
    public void Tick_SessionsKeepStarting_NeverTrims()
    {
        var trim = NewTrim();
        for (var started = 1; started <= 100; started++)
        {
            _allocated += 1024 * 1024;
            _time.Advance(Tick);
            Assert.False(trim.Tick(started, After));
        }

        Assert.Equal(0, _collections);
    }

    [Fact]
    public void Tick_QuietButLittleAllocatedSinceTheLastTrim_LeavesItAlone()
    {
        var trim = NewTrim();
        _allocated += 64 * 1024 * 1024;
        trim.Tick(1000, After);
        _time.Advance(After);
        Assert.True(trim.Tick(1000, After));

        // A few more sessions, well under the minimum: not worth another pause.
        _allocated += MemoryTrim.MinimumAllocatedBytes / 2;
        trim.Tick(1010, After);
        _time.Advance(After);

        Assert.False(trim.Tick(1010, After));
        Assert.Equal(1, _collections);
    }

    [Fact]
    public void Tick_ANewBurstAfterATrim_TrimsAgainOnceQuiet()
    {
        var trim = NewTrim();
        _allocated += 64 * 1024 * 1024;
        trim.Tick(1000, After);
        _time.Advance(After);
        trim.Tick(1000, After);

        _allocated += MemoryTrim.MinimumAllocatedBytes;
        trim.Tick(2000, After);
        _time.Advance(Tick);
        Assert.False(trim.Tick(2000, After));
        _time.Advance(Tick);

        Assert.True(trim.Tick(2000, After));
        Assert.Equal(2, _collections);
    }

    [Fact]
    public void Tick_TurnedOff_NeverTrims()
    {
        var trim = NewTrim();
        _allocated += 64 * 1024 * 1024;
        trim.Tick(1000, TimeSpan.Zero);
        _time.Advance(TimeSpan.FromMinutes(10));

        Assert.False(trim.Tick(1000, TimeSpan.Zero));
        Assert.Equal(0, _collections);
    }
}
