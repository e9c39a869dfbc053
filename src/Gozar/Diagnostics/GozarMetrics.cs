using System.Diagnostics.Metrics;
using Gozar.Sessions;

namespace Gozar.Diagnostics;

/// <summary>
/// Gozar's instruments (meter "Gozar"): handshake verdicts (every probe kind), finished sessions by user, mode and
/// outcome, relayed bytes by user and direction, DC connect latency, upstream errors. <see cref="PrometheusExporter"/>
/// renders them at /metrics of the admin listener; <see cref="ProxyGauges"/> adds what is read at scrape time.
/// </summary>
public sealed class GozarMetrics : IDisposable
{
    public const string MeterName = "Gozar";

    /// <summary>Label value of sessions that never authenticated (probes, masked connections).</summary>
    public const string NoUser = "-";

    private static readonly HandshakeVerdict[] Verdicts = Enum.GetValues<HandshakeVerdict>();

    /// <summary>Seconds: loopback and same-region DCs answer in a millisecond, far ones in a few hundred.</summary>
    private static readonly double[] ConnectBuckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly Counter<long> _sessions;
    private readonly Counter<long> _bytes;
    private readonly Histogram<double> _dcConnect;
    private readonly Counter<long> _upstreamErrors;
    private readonly long[] _verdictTotals = new long[Verdicts.Length];
    private readonly long[] _outcomeTotals = new long[Enum.GetValues<SessionOutcome>().Length];

    public GozarMetrics(IMeterFactory? factory = null)
    {
        Meter = factory?.Create(MeterName) ?? new Meter(MeterName);

        // Observed from totals so that every verdict appears from the start, at zero, before its first probe.
        Meter.CreateObservableCounter("gozar_handshakes", ObserveVerdicts, description: "Connections by handshake verdict: authenticated, or the kind of probe that was masked");
        Meter.CreateObservableCounter(
            "gozar_replay_hits", () => Interlocked.Read(ref _verdictTotals[(int)HandshakeVerdict.Replay]),
            description: "Handshakes refused as replays of an earlier one (masked)");
        _sessions = Meter.CreateCounter<long>("gozar_sessions", description: "Finished sessions by user, mode and outcome");
        _bytes = Meter.CreateCounter<long>("gozar_relayed_bytes", unit: "By", description: "Bytes of finished sessions (relayed and masked) by direction (up: from clients)");
        _dcConnect = Meter.CreateHistogram(
            "gozar_dc_connect_duration_seconds", unit: "s", description: "Time to connect to a Telegram DC, by DC",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = ConnectBuckets });
        _upstreamErrors = Meter.CreateCounter<long>("gozar_upstream_errors", description: "DC connections that could not be opened or failed while relaying, by DC and reason");
    }

    public Meter Meter { get; }

    public void Handshake(HandshakeVerdict verdict) => Interlocked.Increment(ref _verdictTotals[(int)verdict]);

    public void SessionFinished(string user, SessionOutcome outcome, ClientMode mode, long bytesUp, long bytesDown)
    {
        Interlocked.Increment(ref _outcomeTotals[(int)outcome]);
        _sessions.Add(1, new("user", user), new("mode", ModeName(mode)), new("outcome", OutcomeName(outcome)));
        _bytes.Add(bytesUp, new KeyValuePair<string, object?>("direction", "up"));
        _bytes.Add(bytesDown, new KeyValuePair<string, object?>("direction", "down"));

        if (outcome == SessionOutcome.UpstreamError)
        {
            _upstreamErrors.Add(1, new KeyValuePair<string, object?>("reason", "relay"));
        }
    }

    public void DcConnected(short dc, TimeSpan elapsed) =>
        _dcConnect.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("dc", dc));

    public void DcUnreachable(short dc, string reason) =>
        _upstreamErrors.Add(1, new("dc", dc), new("reason", reason));

    /// <summary>Totals per verdict since start, indexed by <see cref="HandshakeVerdict"/>.</summary>
    public long[] VerdictTotals() => Snapshot(_verdictTotals);

    /// <summary>Finished sessions since start, indexed by <see cref="SessionOutcome"/>.</summary>
    public long[] OutcomeTotals() => Snapshot(_outcomeTotals);

    private IEnumerable<Measurement<long>> ObserveVerdicts()
    {
        var totals = VerdictTotals();
        for (var i = 0; i < totals.Length; i++)
        {
            yield return new Measurement<long>(totals[i], new KeyValuePair<string, object?>("verdict", VerdictName(Verdicts[i])));
        }
    }

    private static long[] Snapshot(long[] totals)
    {
        var copy = new long[totals.Length];
        for (var i = 0; i < copy.Length; i++)
        {
            copy[i] = Interlocked.Read(ref totals[i]);
        }

        return copy;
    }

    public static string VerdictName(HandshakeVerdict verdict) => verdict switch
    {
        HandshakeVerdict.Authenticated => "authenticated",
        HandshakeVerdict.NotTls => "not_tls",
        HandshakeVerdict.BadInit => "bad_init",
        HandshakeVerdict.BadHmac => "bad_hmac",
        HandshakeVerdict.UnknownSni => "unknown_sni",
        HandshakeVerdict.ClockSkew => "skew",
        HandshakeVerdict.Replay => "replay",
        HandshakeVerdict.DisabledMode => "disabled_mode",
        HandshakeVerdict.Malformed => "malformed",
        HandshakeVerdict.Truncated => "truncated",
        HandshakeVerdict.Timeout => "timeout",
        HandshakeVerdict.RateLimited => "rate_limited",
        _ => verdict.ToString().ToLowerInvariant(),
    };

    public static string ModeName(ClientMode mode) => mode switch
    {
        ClientMode.Classic => "classic",
        ClientMode.Secure => "secure",
        ClientMode.Tls => "tls",
        _ => "unknown",
    };

    public static string OutcomeName(SessionOutcome outcome) => outcome switch
    {
        SessionOutcome.Relayed => "relayed",
        SessionOutcome.Masked => "masked",
        SessionOutcome.MaskUnreachable => "mask_unreachable",
        SessionOutcome.UpstreamUnreachable => "upstream_unreachable",
        SessionOutcome.ClientError => "client_error",
        SessionOutcome.UpstreamError => "upstream_error",
        SessionOutcome.IdleTimeout => "idle_timeout",
        SessionOutcome.Shutdown => "shutdown",
        _ => outcome.ToString().ToLowerInvariant(),
    };

    public void Dispose() => Meter.Dispose();
}
