using System.Globalization;

namespace Gozar.Load.Measure;

/// <summary>
/// The proxy's managed heap as of its last garbage collection, read from the admin listener's /metrics (the runtime's
/// System.Runtime meter): the heap's size (all generations) and the memory the GC had committed. Unlike the RSS,
/// these do not include the runtime's native arenas or pages the GC keeps around, so they are what a leak of managed
/// objects would grow. Both zero when /metrics did not answer or lacks them.
/// </summary>
public readonly record struct HeapSnapshot(long HeapBytes, long CommittedBytes)
{
    public const string HeapSizeMetric = "dotnet_gc_last_collection_heap_size_bytes";
    public const string CommittedMetric = "dotnet_gc_last_collection_memory_committed_size_bytes";

    /// <summary>Sums every sample of the two metrics (the heap size comes per generation) in Prometheus text.</summary>
    public static HeapSnapshot Parse(string text)
    {
        double heap = 0, committed = 0;
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith('#') || line.Length == 0)
            {
                continue;
            }

            var name = line.AsSpan(0, line.IndexOfAny(['{', ' ']) is var end and >= 0 ? end : line.Length);
            var value = line.AsSpan(line.LastIndexOf(' ') + 1);
            if (name.SequenceEqual(HeapSizeMetric))
            {
                heap += double.Parse(value, CultureInfo.InvariantCulture);
            }
            else if (name.SequenceEqual(CommittedMetric))
            {
                committed += double.Parse(value, CultureInfo.InvariantCulture);
            }
        }

        return new HeapSnapshot((long)heap, (long)committed);
    }
}
