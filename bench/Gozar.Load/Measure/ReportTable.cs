using System.Globalization;
using System.Text;

namespace Gozar.Load.Measure;

/// <summary>The markdown tables bench/run.sh prints from the rows of one run: targets, ratios, details.</summary>
public static class ReportTable
{
    private const string Ceiling = "ceiling";

    // The relay carrying the load side's obfuscated2 stream end to end: the load core does the same AES as through
    // Gozar, so a ratio to it is not the load side's crypto cost (bulk runs saturate the load core).
    private const string CeilingEndToEnd = "ceiling-e2e";
    private static readonly string[] Scenarios = ["upload", "download", "duplex10", "echo1", "echo100", "handshakes"];
    // "dotnet-relay": the plain relay again on .NET's sockets (bench/ceiling/DotnetRelay), handshakes only: how much of
    // a connection's cost is the runtime's socket layer before any proxy work. "epoll-relay": relay.c's loop in C# on
    // raw system calls (bench/ceiling/EpollRelay): the runtime without that layer.
    private static readonly string[] Labels = ["ee", "dd", "classic", "ee-pool", "ee-nofast", "dotnet-relay", "epoll-relay"];
    private static readonly string[] TargetScenarios = ["upload", "download", "echo100", "handshakes"];

    public static string Render(IEnumerable<string> lines)
    {
        var rows = new List<ScenarioResult>();
        foreach (var line in lines)
        {
            if (ScenarioResult.FromTsv(line) is { } row)
            {
                rows.Add(row);
            }
        }

        var text = new StringBuilder();
        Targets(text, rows);
        text.AppendLine();
        Ratios(text, rows);
        text.AppendLine();
        Rounds(text, rows);
        text.AppendLine();
        Details(text, rows);
        return text.ToString();
    }

    private static void Targets(StringBuilder text, List<ScenarioResult> rows)
    {
        text.AppendLine("| target (ee mode) | measured | goal | met | × ceiling-e2e | met |");
        text.AppendLine("|---|---:|---:|---|---:|---|");
        RatioTarget(text, rows, "bulk upload, 1 connection", "upload", "ee", 0.75);
        RatioTarget(text, rows, "bulk download, 1 connection (fast mode)", "download", "ee", 0.90);
        RatioTarget(text, rows, "echo, 100 connections (round trips/s)", "echo100", "ee", 0.70);
        RatioTarget(text, rows, "handshakes per second", "handshakes", "ee", 0.70);

        var idle = rows.FindLast(r => r.Label == "ee" && r.Scenario.StartsWith("idle", StringComparison.Ordinal));
        if (idle is not null)
        {
            Line(text, $"idle RSS per authenticated connection ({idle.Scenario[4..]})", $"{idle.Value:0.0} KiB", "≤ 4 KiB", idle.Value <= 4);
        }

        var allocations = rows.FindAll(r => r.Label == "alloc");
        if (allocations.Count > 0)
        {
            // Under a byte per chunk is not an allocation of the relay path: the pump moves thousands of chunks in the
            // measured window, and any one-off allocation of the process in that window (a timer, the thread pool)
            // shows as a fraction.
            var worst = allocations.Max(r => r.Value);
            Line(text, "allocation per relayed chunk or packet (worst of processors, pump and middle relay)", $"{worst:0.#} B", "0 B", worst < 1);
        }

        var gozar = Find(rows, "aes", "gozar-16KiB");
        var openssl = Find(rows, "aes", "openssl-16KiB");
        if (gozar is not null && openssl is not null)
        {
            var ratio = gozar.Value / openssl.Value;
            Line(text, "AES-256-CTR at 16 KiB, one core, × openssl speed", $"{ratio:0.00} ({gozar.Value:0} / {openssl.Value:0} MB/s)", "≥ 0.85", ratio >= 0.85);
        }
    }

    private static void RatioTarget(StringBuilder text, List<ScenarioResult> rows, string name, string scenario, string label, double goal)
    {
        var measured = Find(rows, label, scenario);
        var ceiling = Find(rows, Ceiling, scenario);
        if (measured is null || ceiling is null || ceiling.Value <= 0)
        {
            return;
        }

        var ratio = measured.Value / ceiling.Value;
        var endToEnd = Find(rows, CeilingEndToEnd, scenario);
        var endToEndMet = endToEnd is { Value: > 0 } ? Met(measured.Value / endToEnd.Value >= goal) : "";
        text.AppendLine(CultureInfo.InvariantCulture,
            $"| {name} | {ratio:0.00} × ceiling | ≥ {goal:0.00} | {Met(ratio >= goal)} | {Ratio(measured, endToEnd)} | {endToEndMet} |");
    }

    private static void Ratios(StringBuilder text, List<ScenarioResult> rows)
    {
        text.Append("| scenario | unit | ceiling | ceiling-e2e |");
        var labels = Array.FindAll(Labels, l => rows.Exists(r => r.Label == l));
        foreach (var label in labels)
        {
            text.Append(CultureInfo.InvariantCulture, $" {label} | ratio | e2e |");
        }

        text.AppendLine();
        text.Append("|---|---|---:|---:|");
        foreach (var unused in labels)
        {
            text.Append("---:|---:|---:|");
        }

        text.AppendLine();
        foreach (var scenario in Scenarios)
        {
            var ceiling = Find(rows, Ceiling, scenario);
            var any = ceiling ?? rows.Find(r => r.Scenario == scenario);
            if (any is null)
            {
                continue;
            }

            var endToEnd = Find(rows, CeilingEndToEnd, scenario);
            text.Append(CultureInfo.InvariantCulture, $"| {scenario} | {any.Unit} | {Format(ceiling)} | {Format(endToEnd)} |");
            foreach (var label in labels)
            {
                var measured = Find(rows, label, scenario);
                text.Append(CultureInfo.InvariantCulture, $" {Format(measured)} | {Ratio(measured, ceiling)} | {Ratio(measured, endToEnd)} |");
            }

            text.AppendLine();
        }
    }

    /// <summary>
    /// ee against the ceiling round by round: run.sh goes round the targets, so the i-th row of each label in a scenario
    /// comes from the same round, minutes apart at most, while the medians above may pair a fast round of one with a
    /// slow round of the other on a host whose speed moves.
    /// </summary>
    private static void Rounds(StringBuilder text, List<ScenarioResult> rows)
    {
        text.AppendLine("| target scenario | ee ÷ ceiling, round by round |");
        text.AppendLine("|---|---|");
        foreach (var scenario in TargetScenarios)
        {
            var measured = rows.FindAll(r => r.Label == "ee" && r.Scenario == scenario);
            var ceiling = rows.FindAll(r => r.Label == Ceiling && r.Scenario == scenario);
            var rounds = Math.Min(measured.Count, ceiling.Count);
            if (rounds == 0)
            {
                continue;
            }

            var ratios = new string[rounds];
            for (var i = 0; i < rounds; i++)
            {
                ratios[i] = Ratio(measured[i], ceiling[i]);
            }

            text.AppendLine(CultureInfo.InvariantCulture, $"| {scenario} | {string.Join(", ", ratios)} |");
        }
    }

    private static void Details(StringBuilder text, List<ScenarioResult> rows)
    {
        text.AppendLine("| label | scenario | value | unit | p50 µs | p99 µs | CPU load % | CPU DC % | CPU target % | note |");
        text.AppendLine("|---|---|---:|---|---:|---:|---:|---:|---:|---|");
        foreach (var r in rows)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {r.Label} | {r.Scenario} | {r.Value:0.##} | {r.Unit} | {Blank(r.P50Us)} | {Blank(r.P99Us)} | {Blank(r.LoadCpu)} | {Blank(r.DcCpu)} | {Blank(r.TargetCpu)} | {r.Note} |");
        }
    }

    /// <summary>The median row of a label and scenario (bench/run.sh repeats the bulk transfers, whose rate varies
    /// by ±10 % from one gigabyte to the next on these machines); the lower middle one of an even count.</summary>
    private static ScenarioResult? Find(List<ScenarioResult> rows, string label, string scenario)
    {
        var matching = rows.FindAll(r => r.Label == label && r.Scenario == scenario);
        if (matching.Count == 0)
        {
            return null;
        }

        matching.Sort((a, b) => a.Value.CompareTo(b.Value));
        return matching[(matching.Count - 1) / 2];
    }

    private static string Format(ScenarioResult? row) =>
        row is null ? "" : row.Value.ToString(row.Value >= 100 ? "0" : "0.0", CultureInfo.InvariantCulture);

    private static string Ratio(ScenarioResult? measured, ScenarioResult? ceiling) =>
        measured is not null && ceiling is { Value: > 0 } ? (measured.Value / ceiling.Value).ToString("0.00", CultureInfo.InvariantCulture) : "";

    private static string Met(bool met) => met ? "yes" : "**no**";

    private static string Blank(double value) => value == 0 ? "" : value.ToString("0", CultureInfo.InvariantCulture);

    private static void Line(StringBuilder text, string name, string measured, string goal, bool met) =>
        text.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {measured} | {goal} | {Met(met)} | | |");
}
