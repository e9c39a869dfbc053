namespace Gozar.Diagnostics;

/// <summary>One label set of one instrument: a value, or for a histogram its bucket counts, sum and count.</summary>
internal sealed class PrometheusSeries
{
    public PrometheusSeries(string labels, int buckets)
    {
        Labels = labels;
        BucketCounts = buckets == 0 ? [] : new long[buckets + 1];
    }

    /// <summary>Rendered once: <c>name="value",...</c> sorted by name, already escaped.</summary>
    public string Labels { get; }

    public double Value { get; set; }

    /// <summary>Per bucket (not cumulative), the last one for +Inf.</summary>
    public long[] BucketCounts { get; }

    public long Count { get; set; }
}
