using Gozar.Diagnostics;
using Microsoft.Extensions.Time.Testing;

namespace Gozar.Tests.Diagnostics;

public class LogGateTests
{
    [Fact]
    public void TryPass_RepeatedWithinTheInterval_OnlyTheFirstPasses()
    {
        var gate = new LogGate(new FakeTimeProvider());

        Assert.True(gate.TryPass(Log.MaskUnreachableEvent, 1, out var first));
        Assert.False(gate.TryPass(Log.MaskUnreachableEvent, 1, out _));
        Assert.False(gate.TryPass(Log.MaskUnreachableEvent, 1, out _));

        Assert.Equal(0, first);
    }

    [Fact]
    public void TryPass_AfterTheInterval_PassesWithTheCountHeldBack()
    {
        var time = new FakeTimeProvider();
        var gate = new LogGate(time);
        gate.TryPass(Log.DcUnreachableEvent, 2, out _);
        gate.TryPass(Log.DcUnreachableEvent, 2, out _);
        gate.TryPass(Log.DcUnreachableEvent, 2, out _);

        time.Advance(LogGate.Interval - TimeSpan.FromMilliseconds(1));
        Assert.False(gate.TryPass(Log.DcUnreachableEvent, 2, out _));
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(gate.TryPass(Log.DcUnreachableEvent, 2, out var held));
        time.Advance(LogGate.Interval);
        Assert.True(gate.TryPass(Log.DcUnreachableEvent, 2, out var heldAfterQuiet));

        Assert.Equal(3, held);
        Assert.Equal(0, heldAfterQuiet);
    }

    [Fact]
    public void TryPass_OtherSubjectOrEvent_PassesOnItsOwn()
    {
        var gate = new LogGate(new FakeTimeProvider());
        gate.TryPass(Log.DcUnreachableEvent, 2, out _);

        Assert.True(gate.TryPass(Log.DcUnreachableEvent, 4, out _));
        Assert.True(gate.TryPass(Log.DcFallbackEvent, 2, out _));
        Assert.False(gate.TryPass(Log.DcUnreachableEvent, 2, out _));
    }

    [Fact]
    public void TryPass_MoreSubjectsThanItKeeps_StaysBoundedAndFreshOnesStillHeld()
    {
        // A client may make up any DC id: the gate must not keep an entry for each.
        var time = new FakeTimeProvider();
        var gate = new LogGate(time);
        for (var id = 0; id < 10 * LogGate.MaxEntries; id++)
        {
            Assert.True(gate.TryPass(Log.DcFallbackEvent, id, out _));
        }

        Assert.Equal(LogGate.MaxEntries, gate.Count);
        Assert.False(gate.TryPass(Log.DcFallbackEvent, (10 * LogGate.MaxEntries) - 1, out _));

        time.Advance(LogGate.Interval);
        Assert.True(gate.TryPass(Log.DcFallbackEvent, -1, out _));
        Assert.Equal(1, gate.Count);
    }
}
