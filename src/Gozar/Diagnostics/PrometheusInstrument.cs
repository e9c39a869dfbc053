using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Gozar.Diagnostics;

/// <summary>What a <see cref="PrometheusExporter"/> keeps for one instrument: its series by label set.</summary>
internal sealed class PrometheusInstrument
{
    /// <summary>Seconds (times 1000 for a histogram in ms); used for a histogram that gives no bucket advice.</summary>
    private static readonly double[] DefaultBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly Dictionary<string, PrometheusSeries> _series = new(StringComparer.Ordinal);

    // The series of every tag set seen, found without rendering its labels: a measurement with a known tag set (every
    // session's end, every DC connect) allocates nothing. Tag sets that render alike share one series.
    private readonly Dictionary<KeyValuePair<string, object?>[], PrometheusSeries> _byTags = new(TagSetComparer.Instance);
    private readonly Dictionary<KeyValuePair<string, object?>[], PrometheusSeries>.AlternateLookup<ReadOnlySpan<KeyValuePair<string, object?>>> _byTagSpan;

    public PrometheusInstrument(Instrument instrument)
    {
        Instrument = instrument;
        Kind = KindOf(instrument);
        Name = PrometheusText.MetricName(instrument.Name, instrument.Unit, Kind == PrometheusKind.Counter);
        Buckets = Kind == PrometheusKind.Histogram ? BucketsOf(instrument) : [];
        _byTagSpan = _byTags.GetAlternateLookup<ReadOnlySpan<KeyValuePair<string, object?>>>();
    }

    public Instrument Instrument { get; }

    public PrometheusKind Kind { get; }

    public string Name { get; }

    public double[] Buckets { get; }

    /// <summary>Observed instruments report their current value at each scrape; the others accumulate.</summary>
    public bool IsObservable => Instrument.IsObservable;

    public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        lock (_series)
        {
            if (!_byTagSpan.TryGetValue(tags, out var series))
            {
                var labels = RenderLabels(tags);
                if (!_series.TryGetValue(labels, out series))
                {
                    series = new PrometheusSeries(labels, Buckets.Length);
                    _series[labels] = series;
                }

                _byTags[tags.ToArray()] = series;
            }

            switch (Kind)
            {
                case PrometheusKind.Histogram:
                    var bucket = Array.BinarySearch(Buckets, value);
                    series.BucketCounts[bucket >= 0 ? bucket : ~bucket]++;
                    series.Count++;
                    series.Value += value;
                    break;
                case PrometheusKind.Gauge when IsObservable:
                case PrometheusKind.Counter when IsObservable:
                    series.Value = value;
                    break;
                default:
                    series.Value += value;
                    break;
            }
        }
    }

    /// <summary>Forgets observed values before a scrape asks for fresh ones, so a vanished label set disappears.</summary>
    public void ClearObserved()
    {
        if (IsObservable)
        {
            lock (_series)
            {
                _series.Clear();
                _byTags.Clear();
            }
        }
    }

    public void Write(StringBuilder output)
    {
        PrometheusSeries[] series;
        lock (_series)
        {
            series = [.. _series.Values];
            if (Kind == PrometheusKind.Histogram)
            {
                series = Array.ConvertAll(series, Copy);
            }
        }

        if (series.Length == 0)
        {
            return;
        }

        Array.Sort(series, (a, b) => string.CompareOrdinal(a.Labels, b.Labels));
        if (!string.IsNullOrEmpty(Instrument.Description))
        {
            output.Append("# HELP ").Append(Name).Append(' ').Append(PrometheusText.EscapeHelp(Instrument.Description)).Append('\n');
        }

        output.Append("# TYPE ").Append(Name).Append(' ').Append(PrometheusText.TypeName(Kind)).Append('\n');
        foreach (var one in series)
        {
            if (Kind == PrometheusKind.Histogram)
            {
                WriteHistogram(output, one);
            }
            else
            {
                PrometheusText.Sample(output, Name, one.Labels, extraLabel: null, one.Value);
            }
        }
    }

    private void WriteHistogram(StringBuilder output, PrometheusSeries series)
    {
        var bucketName = Name + "_bucket";
        long cumulative = 0;
        for (var i = 0; i <= Buckets.Length; i++)
        {
            cumulative += series.BucketCounts[i];
            var bound = i < Buckets.Length ? PrometheusText.Number(Buckets[i]) : "+Inf";
            PrometheusText.Sample(output, bucketName, series.Labels, "le=\"" + bound + "\"", cumulative);
        }

        PrometheusText.Sample(output, Name + "_sum", series.Labels, extraLabel: null, series.Value);
        PrometheusText.Sample(output, Name + "_count", series.Labels, extraLabel: null, series.Count);
    }

    private static PrometheusSeries Copy(PrometheusSeries series)
    {
        var copy = new PrometheusSeries(series.Labels, series.BucketCounts.Length - 1) { Value = series.Value, Count = series.Count };
        series.BucketCounts.CopyTo(copy.BucketCounts, 0);
        return copy;
    }

    private static string RenderLabels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.IsEmpty)
        {
            return string.Empty;
        }

        var sorted = tags.ToArray();
        Array.Sort(sorted, (a, b) => string.CompareOrdinal(a.Key, b.Key));
        var labels = new StringBuilder();
        foreach (var (key, value) in sorted)
        {
            if (labels.Length > 0)
            {
                labels.Append(',');
            }

            labels.Append(PrometheusText.LabelName(key)).Append("=\"")
                .Append(PrometheusText.EscapeLabelValue(Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty))
                .Append('"');
        }

        return labels.ToString();
    }

    private static PrometheusKind KindOf(Instrument instrument) => instrument switch
    {
        Counter<long> or Counter<int> or Counter<double> => PrometheusKind.Counter,
        ObservableCounter<long> or ObservableCounter<int> or ObservableCounter<double> => PrometheusKind.Counter,
        Histogram<long> or Histogram<int> or Histogram<double> => PrometheusKind.Histogram,
        _ => PrometheusKind.Gauge,
    };

    private static double[] BucketsOf(Instrument instrument) => instrument switch
    {
        Histogram<double> { Advice.HistogramBucketBoundaries: { } bounds } => [.. bounds],
        Histogram<long> { Advice.HistogramBucketBoundaries: { } bounds } => [.. bounds.Select(b => (double)b)],
        { Unit: "ms" } => [.. DefaultBuckets.Select(seconds => seconds * 1000)],
        _ => DefaultBuckets,
    };

    /// <summary>Tag sets as sets: the same keys with equal values in any order (as their rendered labels are sorted).</summary>
    private sealed class TagSetComparer :
        IEqualityComparer<KeyValuePair<string, object?>[]>,
        IAlternateEqualityComparer<ReadOnlySpan<KeyValuePair<string, object?>>, KeyValuePair<string, object?>[]>
    {
        public static readonly TagSetComparer Instance = new();

        public bool Equals(KeyValuePair<string, object?>[]? x, KeyValuePair<string, object?>[]? y) =>
            x is not null && y is not null && Same(x, y);

        public int GetHashCode(KeyValuePair<string, object?>[] tags) => Hash(tags);

        public bool Equals(ReadOnlySpan<KeyValuePair<string, object?>> alternate, KeyValuePair<string, object?>[] other) =>
            Same(alternate, other);

        public int GetHashCode(ReadOnlySpan<KeyValuePair<string, object?>> alternate) => Hash(alternate);

        public KeyValuePair<string, object?>[] Create(ReadOnlySpan<KeyValuePair<string, object?>> alternate) => alternate.ToArray();

        // A sum, so that the order of the tags does not matter.
        private static int Hash(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var hash = tags.Length;
            foreach (var tag in tags)
            {
                hash += HashCode.Combine(tag.Key, tag.Value);
            }

            return hash;
        }

        // Each holds every tag of the other, so that the relation stays symmetric even for a set with a repeated key.
        private static bool Same(ReadOnlySpan<KeyValuePair<string, object?>> x, ReadOnlySpan<KeyValuePair<string, object?>> y) =>
            x.Length == y.Length && Covers(x, y) && Covers(y, x);

        private static bool Covers(ReadOnlySpan<KeyValuePair<string, object?>> x, ReadOnlySpan<KeyValuePair<string, object?>> y)
        {
            foreach (var tag in x)
            {
                var found = false;
                foreach (var other in y)
                {
                    if (string.Equals(tag.Key, other.Key, StringComparison.Ordinal) && Equals(tag.Value, other.Value))
                    {
                        found = true;
                        break;
                    }
                }

                if (!found)
                {
                    return false;
                }
            }

            return true;
        }
    }
}

internal enum PrometheusKind
{
    Counter,
    Gauge,
    Histogram,
}
