using System.Globalization;
using System.Text;

namespace Gozar.Load.Measure;

/// <summary>The markdown tables bench/run.sh prints from the rows of one run.</summary>
public static class ReportTable
{
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
        text.AppendLine("| label | scenario | value | unit | p50 µs | p99 µs | CPU load % | CPU DC % | CPU target % | note |");
        text.AppendLine("|---|---|---:|---|---:|---:|---:|---:|---:|---|");
        foreach (var r in rows)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {r.Label} | {r.Scenario} | {r.Value:0.##} | {r.Unit} | {r.P50Us:0} | {r.P99Us:0} | {r.LoadCpu:0} | {r.DcCpu:0} | {r.TargetCpu:0} | {r.Note} |");
        }

        return text.ToString();
    }
}
