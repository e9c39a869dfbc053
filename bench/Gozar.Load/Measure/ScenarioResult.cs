using System.Globalization;

namespace Gozar.Load.Measure;

/// <summary>
/// One measured row: which target (label), which scenario, the main value and its unit, latency percentiles where
/// they apply, and CPU use (% of one core) of the load generator, the fake DC and the target while it ran.
/// </summary>
public sealed record ScenarioResult(
    string Label,
    string Scenario,
    double Value,
    string Unit,
    double P50Us,
    double P99Us,
    double LoadCpu,
    double DcCpu,
    double TargetCpu,
    string Note)
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public string ToTsv() => string.Join(
        '\t',
        Label,
        Scenario,
        Value.ToString("0.###", Invariant),
        Unit,
        P50Us.ToString("0.#", Invariant),
        P99Us.ToString("0.#", Invariant),
        LoadCpu.ToString("0", Invariant),
        DcCpu.ToString("0", Invariant),
        TargetCpu.ToString("0", Invariant),
        Note);

    public static ScenarioResult? FromTsv(string line)
    {
        var f = line.Split('\t');
        if (f.Length < 10 || !double.TryParse(f[2], Invariant, out var value))
        {
            return null;
        }

        return new ScenarioResult(
            f[0], f[1], value, f[3], double.Parse(f[4], Invariant), double.Parse(f[5], Invariant),
            double.Parse(f[6], Invariant), double.Parse(f[7], Invariant), double.Parse(f[8], Invariant), f[9]);
    }
}
