namespace Gozar.Load.Measure;

/// <summary>Where a soak sample was taken: before the load, during it, or after it stopped.</summary>
public enum SoakPhase
{
    Before,
    Load,
    After,
}

/// <summary>
/// One sample of a soak: seconds since the load started, the proxy's resources then (from /proc, and its managed heap
/// from its /metrics), and the running totals of what the load side had done by then (so that a window's work is the
/// difference of two samples).
/// </summary>
public sealed record SoakSample(
    double Seconds, SoakPhase Phase, ProcessSnapshot Proxy, HeapSnapshot Heap, long Connections, long Probes, long RoundTrips);
