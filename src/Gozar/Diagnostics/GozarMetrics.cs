using System.Diagnostics.Metrics;
using Gozar.Sessions;
using Gozar.Upstream;
using Gozar.Users;

namespace Gozar.Diagnostics;

/// <summary>
/// Gozar's instruments (meter "Gozar"): handshake verdicts (every probe kind), finished sessions by user, mode and
/// outcome, relayed bytes by user and direction, DC connect latency, upstream errors; in middle mode ME connections,
/// reconnects, RPC errors and latency. <see cref="PrometheusExporter"/>
/// renders them at /metrics of the admin listener; <see cref="ProxyGauges"/> adds what is read at scrape time.
/// </summary>
public sealed class GozarMetrics : IDisposable
{
    public const string MeterName = "Gozar";

    /// <summary>Label value of sessions that never authenticated (probes, masked connections).</summary>
    public const string NoUser = "-";

    /// <summary>Label value of DC indexes that are neither Telegram's nor named by an override.</summary>
    public const string OtherDc = "other";

    private static readonly HandshakeVerdict[] Verdicts = Enum.GetValues<HandshakeVerdict>();

    /// <summary>Seconds: loopback and same-region DCs answer in a millisecond, far ones in a few hundred.</summary>
    private static readonly double[] ConnectBuckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly Counter<long> _sessions;
    private readonly Counter<long> _bytes;
    private readonly UpDownCounter<long> _meConnections;
    private readonly Counter<long> _meReconnects;
    private readonly Counter<long> _rpcErrors;
    private readonly Histogram<double> _meLatency;
    private readonly Counter<long> _middleRefreshes;
    private readonly Histogram<double> _dcConnect;
    private readonly Counter<long> _upstreamErrors;
    private readonly long[] _verdictTotals = new long[Verdicts.Length];
    private readonly long[] _outcomeTotals = new long[Enum.GetValues<SessionOutcome>().Length];
    private long _stateWriteFailures;
    private int _observingUsers;

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
        _meConnections = Meter.CreateUpDownCounter<long>("gozar_me_connections", description: "Middle-end connections up, by DC cluster");
        _meReconnects = Meter.CreateCounter<long>("gozar_me_reconnects", description: "Middle-end connections opened to replace a lost one, by DC cluster");
        _rpcErrors = Meter.CreateCounter<long>("gozar_me_rpc_errors", description: "Middle-end RPC failures, by kind");
        _meLatency = Meter.CreateHistogram<double>("gozar_me_latency", unit: "ms", description: "Middle-end round trip (nonce exchange, keepalive ping), by DC cluster");
        _middleRefreshes = Meter.CreateCounter<long>("gozar_me_config_refreshes", description: "Downloads of the middle-end secret and lists, by result");
        Meter.CreateObservableCounter(
            "gozar_state_write_failures", () => Interlocked.Read(ref _stateWriteFailures),
            description: "Failed writes of the user state file (disk full, permissions)");
    }

    /// <summary>Failed state-file writes since start.</summary>
    public long StateWriteFailures => Interlocked.Read(ref _stateWriteFailures);

    /// <summary>Counts one failed state-file write; returns the total so far.</summary>
    public long StateWriteFailed() => Interlocked.Increment(ref _stateWriteFailures);

    /// <summary>
    /// Publishes per-user instruments read from <paramref name="users"/> when a listener collects them, so the relay
    /// pays nothing for them: bytes by user and direction, admitted sessions, open sessions, quota used.
    /// </summary>
    public void ObserveUsers(Func<IReadOnlyList<UserUsage>> users)
    {
        ArgumentNullException.ThrowIfNull(users);
        if (Interlocked.Exchange(ref _observingUsers, 1) != 0)
        {
            return;
        }

        Meter.CreateObservableCounter(
            "gozar_user_bytes", () => PerUser(users(), Bytes), unit: "By", description: "Bytes relayed for each user, by direction");
        Meter.CreateObservableCounter(
            "gozar_user_sessions", () => PerUser(users(), u => [new(u.SessionsTotal, User(u))]), description: "Sessions admitted per user");
        Meter.CreateObservableGauge(
            "gozar_user_active_sessions", () => PerUser(users(), u => [new(u.ActiveSessions, User(u))]), description: "Open sessions per user");
        Meter.CreateObservableGauge(
            "gozar_user_quota_used_bytes", () => PerUser(users(), u => [new(u.QuotaUsed, User(u))]), unit: "By",
            description: "Bytes counted against each user's quota in the current period");
    }

    private static Measurement<long>[] Bytes(UserUsage user) =>
    [
        new(user.BytesUp, User(user), new KeyValuePair<string, object?>("direction", "up")),
        new(user.BytesDown, User(user), new KeyValuePair<string, object?>("direction", "down")),
    ];

    private static KeyValuePair<string, object?> User(UserUsage user) => new("user", user.Name);

    private static List<Measurement<long>> PerUser(IReadOnlyList<UserUsage> users, Func<UserUsage, Measurement<long>[]> measure)
    {
        var measurements = new List<Measurement<long>>(users.Count * 2);
        foreach (var user in users)
        {
            measurements.AddRange(measure(user));
        }

        return measurements;
    }

    public void MeConnectionOpened(int cluster, bool replacement)
    {
        var dc = new KeyValuePair<string, object?>("dc", cluster);
        _meConnections.Add(1, dc);
        if (replacement)
        {
            _meReconnects.Add(1, dc);
        }
    }

    public void MeConnectionClosed(int cluster) => _meConnections.Add(-1, new KeyValuePair<string, object?>("dc", cluster));

    public void RpcError(string kind) => _rpcErrors.Add(1, new KeyValuePair<string, object?>("kind", kind));

    public void MeLatency(int cluster, TimeSpan roundTrip) =>
        _meLatency.Record(roundTrip.TotalMilliseconds, new KeyValuePair<string, object?>("dc", cluster));

    public void MiddleRefresh(bool succeeded) =>
        _middleRefreshes.Add(1, new KeyValuePair<string, object?>("result", succeeded ? "ok" : "failed"));

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

    public void DcConnected(DcRoute route, TimeSpan elapsed) =>
        _dcConnect.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("dc", DcLabel(route)));

    public void DcUnreachable(DcRoute route, string reason) =>
        _upstreamErrors.Add(1, new("dc", DcLabel(route)), new("reason", reason));

    /// <summary>
    /// The DC index, or "other" for one nobody listed: through the "*" override every client with a secret could
    /// otherwise add a series per index it makes up, 65536 of them per instrument.
    /// </summary>
    private static object DcLabel(DcRoute route) => route.Listed ? route.DcId : OtherDc;

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
        HandshakeVerdict.UserRejected => "user_rejected",
        HandshakeVerdict.UntrustedProxySource => "untrusted_proxy_source",
        HandshakeVerdict.BadProxyHeader => "bad_proxy_header",
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
        SessionOutcome.UserRevoked => "user_revoked",
        SessionOutcome.UserExpired => "user_expired",
        SessionOutcome.QuotaExhausted => "quota_exhausted",
        _ => outcome.ToString().ToLowerInvariant(),
    };

    public void Dispose() => Meter.Dispose();
}
