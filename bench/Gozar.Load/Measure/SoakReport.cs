using System.Globalization;
using System.Text;

namespace Gozar.Load.Measure;

/// <summary>What a soak measured besides the samples: its length, the load side's totals, the mask's view.</summary>
public sealed record SoakTotals(
    TimeSpan Duration,
    long ShortConnections,
    long StormConnections,
    long LongLivedClients,
    long LongLivedRoundTrips,
    long LongLivedDrops,
    TimeSpan LongLivedMaxGap,
    long Mismatches,
    long Errors,
    long Probes,
    long ProbeAnomalies,
    string ProbesByKind,
    string Mask,
    long Skipped,
    double ProxyCpuPercent,
    ProcessSnapshot Peak);

/// <summary>
/// Judges a soak from its samples and prints it as markdown: resources per window (the first window is warm-up),
/// the checks with their limits, and the totals. Peaks are read every second, so they include the storms.
/// <para>
/// The leak indicators decide: the managed heap (as of each last garbage collection, from the proxy's /metrics) is
/// flat when its average over the last window is under <see cref="MaxHeapGrowth"/> above the average of the window
/// right after warm-up; descriptors are back when, <see cref="Settle"/> after the load stopped, at most
/// <see cref="FdTolerance"/> more are open than before it started (the runtime opens a few of its own, such as epoll
/// instances, on first use). The RSS is reported the same way but not judged: it also holds what the GC and the
/// native allocator keep for reuse, which settles far more slowly than the heap itself.
/// </para>
/// </summary>
public static class SoakReport
{
    public const double MaxHeapGrowth = 0.05;
    public const int FdTolerance = 8;

    /// <summary>The longest a long-lived client may wait between two round trips it asked for once a second.</summary>
    public static readonly TimeSpan MaxLongLivedGap = TimeSpan.FromSeconds(15);

    public static readonly TimeSpan Settle = TimeSpan.FromSeconds(30);

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>The warm-up and reporting window: a minute, or a quarter of a shorter run.</summary>
    public static TimeSpan Window(TimeSpan duration) =>
        TimeSpan.FromSeconds(Math.Min(60, Math.Max(10, duration.TotalSeconds / 4)));

    /// <summary>The managed heap's growth from the window after warm-up to the last one (NaN without heap samples).</summary>
    public static double HeapGrowth(IReadOnlyList<SoakSample> samples, TimeSpan duration)
    {
        var window = Window(duration).TotalSeconds;
        var end = duration.TotalSeconds;
        var load = samples.Where(s => s.Phase == SoakPhase.Load).ToList();
        var reference = Average(load.Where(s => s.Seconds > window && s.Seconds <= 2 * window).ToList(), s => s.Heap.HeapBytes);
        var last = Average(load.Where(s => s.Seconds > end - window).ToList(), s => s.Heap.HeapBytes);
        return reference > 0 && last > 0 ? (last - reference) / reference : double.NaN;
    }

    /// <summary>The markdown report and the checks that failed (empty when the soak passed).</summary>
    public static (string Markdown, IReadOnlyList<string> Failures) Render(IReadOnlyList<SoakSample> samples, SoakTotals totals)
    {
        var window = Window(totals.Duration).TotalSeconds;
        var end = totals.Duration.TotalSeconds;
        var before = samples.First(s => s.Phase == SoakPhase.Before);
        var load = samples.Where(s => s.Phase == SoakPhase.Load).ToList();
        var after = samples.Last(s => s.Phase == SoakPhase.After);
        var warm = load.Where(s => s.Seconds > window).ToList();
        var reference = warm.Where(s => s.Seconds <= 2 * window).ToList();
        var last = load.Where(s => s.Seconds > end - window).ToList();
        var first = load.Where(s => s.Seconds <= window).ToList();

        var text = new StringBuilder();
        Windows(text, samples, window, end);
        text.AppendLine();

        var failures = new List<string>();
        text.AppendLine("| check | measured | limit | pass |");
        text.AppendLine("|---|---|---|---|");
        var heapGrowth = HeapGrowth(samples, totals.Duration);
        var referenceHeap = Average(reference, s => s.Heap.HeapBytes) / 1024;
        var lastHeap = Average(last, s => s.Heap.HeapBytes) / 1024;
        Check(text, failures, $"managed heap (at each last GC), last {Span(window)} vs the {Span(window)} after warm-up",
            double.IsNaN(heapGrowth) ? "not sampled (no /metrics)" : $"{Percent(heapGrowth)} ({Mib(referenceHeap)} → {Mib(lastHeap)} MiB)",
            $"< +{MaxHeapGrowth * 100:0} %", heapGrowth < MaxHeapGrowth);
        Check(text, failures, $"managed heap, first {Span(window)} (warm-up) vs last {Span(window)}",
            $"{Mib(Average(first, s => s.Heap.HeapBytes) / 1024)} → {Mib(lastHeap)} MiB; GC committed {Mib(Average(first, s => s.Heap.CommittedBytes) / 1024)} → {Mib(Average(last, s => s.Heap.CommittedBytes) / 1024)} MiB", "reported", null);
        Check(text, failures, "managed heap slope after warm-up (least squares)",
            $"{Slope(warm, s => s.Heap.HeapBytes / 1024.0):+0.0;-0.0;0.0} KiB/min (GC committed: {Slope(warm, s => s.Heap.CommittedBytes / 1024.0):+0.0;-0.0;0.0}); second half alone: {Slope(warm.Where(s => s.Seconds > end / 2).ToList(), s => s.Heap.HeapBytes / 1024.0):+0.0;-0.0;0.0}", "reported", null);
        var referenceRss = Average(reference, s => s.Proxy.RssKib);
        var lastRss = Average(last, s => s.Proxy.RssKib);
        var growth = referenceRss > 0 ? (lastRss - referenceRss) / referenceRss : double.NaN;
        Check(text, failures, $"RSS, last {Span(window)} vs the {Span(window)} after warm-up",
            $"{Percent(growth)} ({Mib(referenceRss)} → {Mib(lastRss)} MiB)", "reported", null);
        Check(text, failures, $"RSS, first {Span(window)} (warm-up) vs last {Span(window)}",
            $"{Mib(Average(first, s => s.Proxy.RssKib))} → {Mib(lastRss)} MiB, peak {Mib(Math.Max(totals.Peak.RssKib, load.Max(s => s.Proxy.RssKib)))} MiB", "reported", null);
        Check(text, failures, "RSS slope after warm-up (least squares)",
            $"{Slope(warm, s => s.Proxy.RssKib):+0.0;-0.0;0.0} KiB/min (anonymous: {Slope(warm, s => s.Proxy.RssAnonKib):+0.0;-0.0;0.0}); second half alone: {Slope(warm.Where(s => s.Seconds > end / 2).ToList(), s => s.Proxy.RssKib):+0.0;-0.0;0.0}", "reported", null);
        Check(text, failures, "open descriptors during load after warm-up",
            $"{Average(warm, s => s.Proxy.Descriptors):0} average, peak {Math.Max(totals.Peak.Descriptors, load.Max(s => s.Proxy.Descriptors))}, slope {Slope(warm, s => s.Proxy.Descriptors):+0.0;-0.0;0.0}/min", "reported", null);
        Check(text, failures, $"open descriptors {Settle.TotalSeconds:0} s after the load vs before it",
            $"{after.Proxy.Descriptors} vs {before.Proxy.Descriptors}", $"≤ before + {FdTolerance}",
            after.Proxy.Descriptors > 0 && after.Proxy.Descriptors <= before.Proxy.Descriptors + FdTolerance);
        Check(text, failures, "threads: before, peak during load, after",
            $"{before.Proxy.Threads}, {Math.Max(totals.Peak.Threads, load.Max(s => s.Proxy.Threads))}, {after.Proxy.Threads}", "reported", null);
        Check(text, failures, "echoed bytes that differ from those sent (verify failures)", $"{totals.Mismatches}", "0", totals.Mismatches == 0);
        Check(text, failures, "legitimate connections that failed (reset, refused, timed out)", $"{totals.Errors}", "0", totals.Errors == 0);
        Check(text, failures, "long-lived clients served throughout",
            $"{totals.LongLivedClients - Math.Min(totals.LongLivedClients, totals.LongLivedDrops)}/{totals.LongLivedClients} never dropped, longest wait {totals.LongLivedMaxGap.TotalSeconds:0.0} s",
            $"all, wait ≤ {MaxLongLivedGap.TotalSeconds:0} s", totals.LongLivedDrops == 0 && totals.LongLivedMaxGap <= MaxLongLivedGap);
        Check(text, failures, "probes not answered as the mask site would", $"{totals.ProbeAnomalies} of {totals.Probes}", "0", totals.ProbeAnomalies == 0);
        text.AppendLine();

        text.AppendLine(Invariant, $"Totals over {end:0} s: {totals.ShortConnections} short connections (3 echoed frames each), {totals.StormConnections} in handshake storms, {totals.LongLivedRoundTrips} long-lived round trips, {totals.Probes} probes ({totals.ProbesByKind}); mask site: {totals.Mask}; {totals.Skipped} launches skipped because the load side was behind; proxy CPU {totals.ProxyCpuPercent:0} % of one core.");
        return (text.ToString(), failures);
    }

    private static void Windows(StringBuilder text, IReadOnlyList<SoakSample> samples, double window, double end)
    {
        text.AppendLine("| window | heap MiB | GC committed MiB | RSS MiB | anon MiB | descriptors (max) | threads | connections | probes | long-lived round trips |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        var previous = samples.First(s => s.Phase == SoakPhase.Before);
        Row(text, "before load", [previous], previous);
        for (var from = 0.0; from < end; from += window)
        {
            var to = Math.Min(from + window, end);
            var inWindow = samples.Where(s => s.Phase == SoakPhase.Load && s.Seconds > from && s.Seconds <= to).ToList();
            if (inWindow.Count == 0)
            {
                continue;
            }

            Row(text, $"{from:0}–{to:0} s", inWindow, previous);
            previous = inWindow[^1];
        }

        var after = samples.Where(s => s.Phase == SoakPhase.After).ToList();
        if (after.Count > 0)
        {
            Row(text, $"after load, +{after[0].Seconds - end:0}–{after[^1].Seconds - end:0} s", after, previous);
        }
    }

    private static void Row(StringBuilder text, string name, List<SoakSample> samples, SoakSample previous)
    {
        var final = samples[^1];
        text.AppendLine(Invariant,
            $"| {name} | {Mib(Average(samples, s => s.Heap.HeapBytes) / 1024)} | {Mib(Average(samples, s => s.Heap.CommittedBytes) / 1024)} | {Mib(Average(samples, s => s.Proxy.RssKib))} | {Mib(Average(samples, s => s.Proxy.RssAnonKib))} | {Average(samples, s => s.Proxy.Descriptors):0} ({samples.Max(s => s.Proxy.Descriptors)}) | {Average(samples, s => s.Proxy.Threads):0} | {final.Connections - previous.Connections} | {final.Probes - previous.Probes} | {final.RoundTrips - previous.RoundTrips} |");
    }

    private static void Check(StringBuilder text, List<string> failures, string name, string measured, string limit, bool? pass)
    {
        var verdict = pass switch { true => "yes", false => "**no**", null => "" };
        text.AppendLine(Invariant, $"| {name} | {measured} | {limit} | {verdict} |");
        if (pass == false)
        {
            failures.Add($"{name}: {measured}");
        }
    }

    private static double Average(List<SoakSample> samples, Func<SoakSample, double> value) =>
        samples.Count == 0 ? 0 : samples.Average(value);

    /// <summary>Least-squares slope of the value against time, per minute; 0 with fewer than two samples.</summary>
    private static double Slope(List<SoakSample> samples, Func<SoakSample, double> value)
    {
        if (samples.Count < 2)
        {
            return 0;
        }

        var meanT = samples.Average(s => s.Seconds / 60);
        var meanV = samples.Average(value);
        var covariance = samples.Sum(s => ((s.Seconds / 60) - meanT) * (value(s) - meanV));
        var variance = samples.Sum(s => Math.Pow((s.Seconds / 60) - meanT, 2));
        return variance > 0 ? covariance / variance : 0;
    }

    private static string Mib(double kib) => (kib / 1024).ToString("0.0", Invariant);

    private static string Percent(double ratio) =>
        double.IsNaN(ratio) ? "n/a" : (ratio * 100).ToString("+0.0;-0.0;0.0", Invariant) + " %";

    private static string Span(double seconds) => seconds >= 60 ? $"{seconds / 60:0} min" : $"{seconds:0} s";
}
