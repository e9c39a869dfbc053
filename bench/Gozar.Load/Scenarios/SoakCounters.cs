using System.Diagnostics;

namespace Gozar.Load.Scenarios;

/// <summary>The kinds of connection a soak opens to the proxy.</summary>
public enum SoakClient
{
    /// <summary>Connects, echoes a few frames, closes; at a steady rate.</summary>
    Short,

    /// <summary>Connects, echoes one frame, closes; many at once, in bursts.</summary>
    Storm,

    /// <summary>Stays open for the whole soak, echoing a small frame now and then.</summary>
    LongLived,
}

/// <summary>Probes and junk a censor or scanner sends; each should end up at the mask site.</summary>
public enum ProbeKind
{
    Silence,
    OneByte,
    Garbage,
    HttpRequest,
    BadTlsHello,
}

/// <summary>Everything a soak counts, updated from many tasks at once.</summary>
public sealed class SoakCounters
{
    private const int MaxReportedErrors = 5;

    private readonly long[] _completed = new long[Enum.GetValues<SoakClient>().Length];
    private readonly long[] _mismatches = new long[Enum.GetValues<SoakClient>().Length];
    private readonly long[] _errors = new long[Enum.GetValues<SoakClient>().Length];
    private readonly long[] _probesAsExpected = new long[Enum.GetValues<ProbeKind>().Length];
    private readonly long[] _probeAnomalies = new long[Enum.GetValues<ProbeKind>().Length];
    private long _skipped;
    private long _longLivedDrops;
    private long _longLivedMaxGapTicks;
    private int _reportedClientFailures;
    private int _reportedProbeAnomalies;

    /// <summary>A connection (or, for long-lived clients, a round trip) whose every byte came back as sent.</summary>
    public void Completed(SoakClient client) => Interlocked.Increment(ref _completed[(int)client]);

    /// <summary>Bytes came back different from what was sent: the proxy corrupted, lost or mixed up data.</summary>
    public void Mismatch(SoakClient client)
    {
        Interlocked.Increment(ref _mismatches[(int)client]);
        Report(ref _reportedClientFailures, $"{client}: echoed bytes differ from the bytes sent");
    }

    /// <summary>A connection failed (reset, refused, closed early, timed out, a bad TLS flight).</summary>
    public void Error(SoakClient client, string error)
    {
        Interlocked.Increment(ref _errors[(int)client]);
        Report(ref _reportedClientFailures, $"{client}: {error}");
    }

    /// <summary>A connection not started because too many of its kind were still in flight (the load side fell behind).</summary>
    public void Skipped() => Interlocked.Increment(ref _skipped);

    public void LongLivedDropped() => Interlocked.Increment(ref _longLivedDrops);

    /// <summary>Time between two successful round trips of one long-lived client.</summary>
    public void LongLivedGap(long ticks)
    {
        var seen = Interlocked.Read(ref _longLivedMaxGapTicks);
        while (ticks > seen)
        {
            var before = Interlocked.CompareExchange(ref _longLivedMaxGapTicks, ticks, seen);
            if (before == seen)
            {
                return;
            }

            seen = before;
        }
    }

    public void Probe(ProbeKind kind, bool asExpected, string anomaly)
    {
        if (asExpected)
        {
            Interlocked.Increment(ref _probesAsExpected[(int)kind]);
        }
        else
        {
            Interlocked.Increment(ref _probeAnomalies[(int)kind]);
            Report(ref _reportedProbeAnomalies, $"probe {kind}: {anomaly}");
        }
    }

    public long CompletedOf(SoakClient client) => Interlocked.Read(ref _completed[(int)client]);

    public long MismatchesOf(SoakClient client) => Interlocked.Read(ref _mismatches[(int)client]);

    public long ErrorsOf(SoakClient client) => Interlocked.Read(ref _errors[(int)client]);

    public long ProbesAsExpected(ProbeKind kind) => Interlocked.Read(ref _probesAsExpected[(int)kind]);

    public long ProbeAnomalies(ProbeKind kind) => Interlocked.Read(ref _probeAnomalies[(int)kind]);

    public long Mismatches => Enum.GetValues<SoakClient>().Sum(MismatchesOf);

    public long Errors => Enum.GetValues<SoakClient>().Sum(ErrorsOf);

    public long AllProbes => Enum.GetValues<ProbeKind>().Sum(k => ProbesAsExpected(k) + ProbeAnomalies(k));

    public long AllProbeAnomalies => Enum.GetValues<ProbeKind>().Sum(ProbeAnomalies);

    /// <summary>Connections to the proxy that completed, of every kind, long-lived round trips not counted.</summary>
    public long ConnectionsCompleted => CompletedOf(SoakClient.Short) + CompletedOf(SoakClient.Storm);

    public long SkippedCount => Interlocked.Read(ref _skipped);

    public long LongLivedDrops => Interlocked.Read(ref _longLivedDrops);

    public TimeSpan LongLivedMaxGap => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _longLivedMaxGapTicks));

    /// <summary>The first few failures of each side go to stderr, so that a failed soak says what went wrong.</summary>
    private static void Report(ref int reported, string message)
    {
        if (Interlocked.Increment(ref reported) <= MaxReportedErrors)
        {
            Console.Error.WriteLine($"soak {DateTime.UtcNow:HH:mm:ss.fff}: {message}");
        }
    }
}
