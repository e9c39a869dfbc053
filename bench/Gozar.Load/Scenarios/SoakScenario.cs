using System.Diagnostics;
using Gozar.Load.Measure;

namespace Gozar.Load.Scenarios;

/// <summary>
/// A long mixed run against one proxy process whose resources must stay flat (issue 5): at the same time, short
/// legitimate connections at a steady rate, long-lived ones echoing slowly throughout, handshake storms in bursts, and
/// probes and junk that go to a mask site this scenario runs itself on loopback. Every echoed byte is checked. The
/// proxy's RSS, descriptors and threads (from /proc) and its managed heap (from its admin /metrics) are sampled every
/// <see cref="SampleEvery"/>, before, during and after the load; <see cref="SoakReport"/> judges them.
/// </summary>
public static class SoakScenario
{
    public static readonly TimeSpan SampleEvery = TimeSpan.FromSeconds(10);

    /// <summary>How often the peaks are read: often enough to catch a storm, which the 10 s samples may miss.</summary>
    public static readonly TimeSpan PeakEvery = TimeSpan.FromSeconds(1);

    // Short connections: ee, dd and classic in turn, each echoing three frames of up to 4 KiB.
    private const double ShortPerSecond = 20;
    private const int ShortFrames = 3;
    private const int ShortInFlight = 200;

    // Long-lived clients: one frame of up to 512 bytes a second each, for the whole run.
    private const int LongLivedClients = 24;
    private const int LongLivedMaxFrame = 512;
    private static readonly TimeSpan LongLivedInterval = TimeSpan.FromSeconds(1);

    // Handshake storms: 600 connections, 150 at a time, each echoing one frame; then a pause.
    private const int StormSize = 600;
    private const int StormInFlight = 150;
    private const int StormMaxFrame = 256;
    private static readonly TimeSpan StormFirst = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan StormPause = TimeSpan.FromSeconds(30);

    // Probes: the five kinds in turn; silent ones stay open until the mask's idle timer closes them.
    private const double ProbesPerSecond = 10;
    private const int ProbesInFlight = 300;

    public static async Task<ScenarioResult> RunAsync(
        ScenarioContext context, TimeSpan duration, int maskPort, HeapReader heap, string reportPath, CancellationToken cancellation)
    {
        await using var mask = new MaskStandIn(maskPort);
        var counters = new SoakCounters();
        var samples = new List<SoakSample>();
        var pid = context.TargetPid;
        samples.Add(await SampleAsync(pid, heap, 0, SoakPhase.Before, counters, cancellation).ConfigureAwait(false));
        var cpuBefore = ProcessStats.CpuSeconds(pid);

        var started = Stopwatch.GetTimestamp();
        using var stop = new CancellationTokenSource(duration);
        var target = context.Target;
        var shortTurn = 0;
        var probeTurn = 0;
        var load = Task.WhenAll(
            AtRateAsync(ShortPerSecond, ShortInFlight, counters, stop.Token, () =>
            {
                var turn = shortTurn++;
                return SoakClients.ConnectEchoCloseAsync(SoakClients.InMode(target, turn), SoakClient.Short, ShortFrames, SoakClients.MaxFrame, turn, counters);
            }),
            AtRateAsync(ProbesPerSecond, ProbesInFlight, counters, stop.Token, () =>
            {
                var turn = probeTurn++;
                var kind = (ProbeKind)(turn % Enum.GetValues<ProbeKind>().Length);
                return SoakProbes.ProbeAsync(target.EndPoint, kind, target.Domain, turn, counters);
            }),
            StormsAsync(target, counters, stop.Token),
            Task.WhenAll(Enumerable.Range(0, LongLivedClients).Select(i =>
                SoakClients.LongLivedAsync(SoakClients.InMode(target, i), i, LongLivedInterval, LongLivedMaxFrame, counters, stop.Token))));

        var peak = PeaksAsync(pid, stop.Token);
        foreach (var at in SampleTimes(duration))
        {
            var wait = at - Stopwatch.GetElapsedTime(started);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, cancellation).ConfigureAwait(false);
            }

            var phase = at <= duration ? SoakPhase.Load : SoakPhase.After;
            if (phase == SoakPhase.After)
            {
                // The last probes and round trips end within their timeouts; "after" means none is in flight.
                await load.WaitAsync(cancellation).ConfigureAwait(false);
            }

            // Stamped with the planned time, not the (slightly later) actual one, so that windows hold whole samples.
            samples.Add(await SampleAsync(pid, heap, at.TotalSeconds, phase, counters, cancellation).ConfigureAwait(false));
        }

        await load.ConfigureAwait(false);
        var peaks = await peak.ConfigureAwait(false);
        var cpu = 100 * (ProcessStats.CpuSeconds(pid) - cpuBefore) / Stopwatch.GetElapsedTime(started).TotalSeconds;
        var totals = new SoakTotals(
            duration,
            counters.CompletedOf(SoakClient.Short),
            counters.CompletedOf(SoakClient.Storm),
            LongLivedClients,
            counters.CompletedOf(SoakClient.LongLived),
            counters.LongLivedDrops,
            counters.LongLivedMaxGap,
            counters.Mismatches,
            counters.Errors,
            counters.AllProbes,
            counters.AllProbeAnomalies,
            string.Join(", ", Enum.GetValues<ProbeKind>().Select(k => $"{k} {counters.ProbesAsExpected(k) + counters.ProbeAnomalies(k)}")),
            $"{mask.Accepted} connections, {mask.Answered} answered, {mask.TimedOut} closed by its idle timer, {mask.ClosedByPeer} closed unused by the proxy, {mask.Reset} reset",
            counters.SkippedCount,
            cpu,
            peaks);
        var (markdown, failures) = SoakReport.Render(samples, totals);
        await Console.Out.WriteAsync(markdown).ConfigureAwait(false);
        if (reportPath.Length > 0)
        {
            await File.WriteAllTextAsync(reportPath, markdown, cancellation).ConfigureAwait(false);
        }

        return context.Result(
            "soak",
            100 * SoakReport.HeapGrowth(samples, duration),
            "% managed heap, the window after warm-up to the last",
            [0, 0, cpu],
            failures.Count == 0 ? "flat, verified" : "FAILED: " + string.Join("; ", failures));
    }

    /// <summary>Every <see cref="SampleEvery"/> through the load, at its end, then through <see cref="SoakReport.Settle"/>.</summary>
    private static IEnumerable<TimeSpan> SampleTimes(TimeSpan duration)
    {
        var at = SampleEvery;
        for (; at < duration; at += SampleEvery)
        {
            yield return at;
        }

        yield return duration;
        for (at = SampleEvery; at <= SoakReport.Settle; at += SampleEvery)
        {
            yield return duration + at;
        }
    }

    private static async Task<SoakSample> SampleAsync(
        int pid, HeapReader heap, double seconds, SoakPhase phase, SoakCounters counters, CancellationToken cancellation) =>
        new(seconds, phase, ProcessSnapshot.Read(pid), await heap.ReadAsync(cancellation).ConfigureAwait(false),
            counters.ConnectionsCompleted, counters.AllProbes, counters.CompletedOf(SoakClient.LongLived));

    /// <summary>The highest RSS, descriptor and thread counts seen until <paramref name="stop"/>, each on its own.</summary>
    private static async Task<ProcessSnapshot> PeaksAsync(int pid, CancellationToken stop)
    {
        var peak = default(ProcessSnapshot);
        using var timer = new PeriodicTimer(PeakEvery);
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                var now = ProcessSnapshot.Read(pid);
                peak = new ProcessSnapshot(
                    Math.Max(peak.RssKib, now.RssKib),
                    Math.Max(peak.RssAnonKib, now.RssAnonKib),
                    Math.Max(peak.Threads, now.Threads),
                    Math.Max(peak.Descriptors, now.Descriptors));
            }
        }
        catch (OperationCanceledException)
        {
        }

        return peak;
    }

    /// <summary>
    /// Starts <paramref name="start"/> at a steady rate until <paramref name="stop"/>, with at most
    /// <paramref name="maxInFlight"/> running (beyond, a tick is skipped and counted); then waits for those running.
    /// </summary>
    private static async Task AtRateAsync(double perSecond, int maxInFlight, SoakCounters counters, CancellationToken stop, Func<Task> start)
    {
        var running = new HashSet<Task>();
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1 / perSecond));
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                running.RemoveWhere(t => t.IsCompleted);
                if (running.Count >= maxInFlight)
                {
                    counters.Skipped();
                    continue;
                }

                running.Add(Task.Run(start));
            }
        }
        catch (OperationCanceledException)
        {
        }

        await Task.WhenAll(running).ConfigureAwait(false);
    }

    private static async Task StormsAsync(Client.LoadTarget target, SoakCounters counters, CancellationToken stop)
    {
        if (!await SoakClients.DelayAsync(StormFirst, stop).ConfigureAwait(false))
        {
            return;
        }

        var storm = 0;
        do
        {
            var next = -1;
            var firstSeed = storm * StormSize;
            var workers = new Task[StormInFlight];
            for (var w = 0; w < workers.Length; w++)
            {
                workers[w] = Task.Run(async () =>
                {
                    int i;
                    while (!stop.IsCancellationRequested && (i = Interlocked.Increment(ref next)) < StormSize)
                    {
                        await SoakClients.ConnectEchoCloseAsync(
                            SoakClients.InMode(target, i), SoakClient.Storm, 1, StormMaxFrame, firstSeed + i, counters).ConfigureAwait(false);
                    }
                });
            }

            await Task.WhenAll(workers).ConfigureAwait(false);
            storm++;
        }
        while (await SoakClients.DelayAsync(StormPause, stop).ConfigureAwait(false));
    }
}
