using System.Globalization;
using System.Text.RegularExpressions;

namespace Gozar.Tests.Infrastructure;

/// <summary>
/// A strict reader of the Prometheus text format 0.0.4: fails the test on any line a Prometheus server would refuse
/// (sample before its TYPE, a family typed twice, a bad label, histogram buckets that shrink or disagree with _count).
/// </summary>
public sealed partial class PrometheusScrape
{
    private static readonly string[] HistogramSuffixes = ["_bucket", "_sum", "_count"];

    private readonly Dictionary<string, string> _types = new(StringComparer.Ordinal);

    private PrometheusScrape()
    {
    }

    public List<PrometheusSample> Samples { get; } = [];

    public IReadOnlyDictionary<string, string> Types => _types;

    public static PrometheusScrape Parse(string text)
    {
        var scrape = new PrometheusScrape();
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        foreach (var line in text.Split('\n')[..^1])
        {
            scrape.ReadLine(line);
        }

        scrape.CheckHistograms();
        return scrape;
    }

    /// <summary>The one sample of <paramref name="name"/> whose labels include all of <paramref name="labels"/>; 0 if none.</summary>
    public double Value(string name, params (string Name, string Value)[] labels)
    {
        var matches = Samples.Where(s => s.Name == name && labels.All(l => s.Labels.GetValueOrDefault(l.Name) == l.Value)).ToList();
        Assert.True(matches.Count <= 1, $"{matches.Count} samples of {name} match");
        return matches.Count == 0 ? 0 : matches[0].Value;
    }

    public bool Has(string name, params (string Name, string Value)[] labels) =>
        Samples.Any(s => s.Name == name && labels.All(l => s.Labels.GetValueOrDefault(l.Name) == l.Value));

    private void ReadLine(string line)
    {
        Assert.False(string.IsNullOrWhiteSpace(line), "empty line in the exposition");
        if (line.StartsWith("# HELP ", StringComparison.Ordinal))
        {
            Assert.Matches(MetricName(), line.Split(' ')[2]);
            return;
        }

        if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
        {
            var parts = line.Split(' ');
            Assert.Equal(4, parts.Length);
            Assert.Matches(MetricName(), parts[2]);
            Assert.Contains(parts[3], new[] { "counter", "gauge", "histogram", "summary", "untyped" });
            Assert.True(_types.TryAdd(parts[2], parts[3]), $"{parts[2]} typed twice");
            return;
        }

        Assert.False(line.StartsWith('#'), $"unknown comment: {line}");
        var match = SampleLine().Match(line);
        Assert.True(match.Success, $"not a sample line: {line}");
        var name = match.Groups["name"].Value;
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Match label in Label().Matches(match.Groups["labels"].Value))
        {
            Assert.True(labels.TryAdd(label.Groups["name"].Value, Unescape(label.Groups["value"].Value)), $"label repeated: {line}");
        }

        Assert.Equal(match.Groups["labels"].Value.Length, LabelsLength(match.Groups["labels"].Value));
        Assert.True(_types.ContainsKey(FamilyOf(name)), $"sample before its TYPE line: {line}");
        Samples.Add(new PrometheusSample(name, labels, ParseNumber(match.Groups["value"].Value)));
    }

    private string FamilyOf(string name)
    {
        foreach (var suffix in HistogramSuffixes)
        {
            if (name.EndsWith(suffix, StringComparison.Ordinal) && _types.GetValueOrDefault(name[..^suffix.Length]) == "histogram")
            {
                return name[..^suffix.Length];
            }
        }

        return name;
    }

    private void CheckHistograms()
    {
        foreach (var (family, type) in _types)
        {
            if (type != "histogram")
            {
                continue;
            }

            var buckets = Samples.Where(s => s.Name == family + "_bucket")
                .GroupBy(s => string.Join(',', s.Labels.Where(l => l.Key != "le").OrderBy(l => l.Key).Select(l => $"{l.Key}={l.Value}")));
            foreach (var series in buckets)
            {
                var ordered = series.ToList();
                Assert.Equal("+Inf", ordered[^1].Labels["le"]);
                for (var i = 1; i < ordered.Count; i++)
                {
                    Assert.True(ordered[i].Value >= ordered[i - 1].Value, $"{family} buckets shrink");
                    Assert.True(ParseNumber(ordered[i].Labels["le"]) > ParseNumber(ordered[i - 1].Labels["le"]), $"{family} bounds out of order");
                }

                var count = Samples.Single(s => s.Name == family + "_count" && SameSeries(s, ordered[0]));
                Assert.Equal(ordered[^1].Value, count.Value);
                Assert.Contains(Samples, s => s.Name == family + "_sum" && SameSeries(s, ordered[0]));
            }
        }
    }

    private static bool SameSeries(PrometheusSample sample, PrometheusSample bucket) =>
        sample.Labels.Count == bucket.Labels.Count - 1 && sample.Labels.All(l => bucket.Labels.GetValueOrDefault(l.Key) == l.Value);

    private static int LabelsLength(string labels)
    {
        var matches = Label().Matches(labels);
        return matches.Sum(m => m.Length) + Math.Max(0, matches.Count - 1);
    }

    private static double ParseNumber(string text) => text switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    private static string Unescape(string value) =>
        value.Replace("\\n", "\n", StringComparison.Ordinal).Replace("\\\"", "\"", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal);

    [GeneratedRegex("^[a-zA-Z_:][a-zA-Z0-9_:]*$")]
    private static partial Regex MetricName();

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})? (?<value>\S+)$""")]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"(?<name>[a-zA-Z_][a-zA-Z0-9_]*)=""(?<value>(\\.|[^""\\])*)""")]
    private static partial Regex Label();
}

public sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);
