using System.Diagnostics.Metrics;
using Gozar.Sessions;
using Gozar.Users;

namespace Gozar.Diagnostics;

/// <summary>
/// Gozar's instruments (meter "Gozar"): handshake verdicts (every probe kind), finished sessions by outcome and mode,
/// relayed bytes; in middle mode ME connections, reconnects, RPC errors and latency. Exported as Prometheus text by the admin listener; counted here without allocation per event.
/// </summary>
public sealed class GozarMetrics : IDisposable
{
    public const string MeterName = "Gozar";

    private static readonly HandshakeVerdict[] Verdicts = Enum.GetValues<HandshakeVerdict>();

    private readonly Meter _meter;
    private readonly Counter<long> _handshakes;
    private readonly Counter<long> _sessions;
    private readonly Counter<long> _bytes;
    private readonly UpDownCounter<long> _meConnections;
    private readonly Counter<long> _meReconnects;
    private readonly Counter<long> _rpcErrors;
    private readonly Histogram<double> _meLatency;
    private readonly Counter<long> _middleRefreshes;
    private readonly long[] _verdictTotals = new long[Verdicts.Length];
    private readonly long[] _outcomeTotals = new long[Enum.GetValues<SessionOutcome>().Length];
    private long _stateWriteFailures;
    private int _observingUsers;

    public GozarMetrics(IMeterFactory? factory = null)
    {
        _meter = factory?.Create(MeterName) ?? new Meter(MeterName);
        _handshakes = _meter.CreateCounter<long>("gozar_handshakes", description: "Connections by handshake verdict (authenticated or probe kind)");
        _sessions = _meter.CreateCounter<long>("gozar_sessions", description: "Finished sessions by outcome and mode");
        _bytes = _meter.CreateCounter<long>("gozar_relayed_bytes", unit: "By", description: "Bytes relayed, by direction");
        _meConnections = _meter.CreateUpDownCounter<long>("gozar_me_connections", description: "Middle-end connections up, by DC cluster");
        _meReconnects = _meter.CreateCounter<long>("gozar_me_reconnects", description: "Middle-end connections opened to replace a lost one, by DC cluster");
        _rpcErrors = _meter.CreateCounter<long>("gozar_me_rpc_errors", description: "Middle-end RPC failures, by kind");
        _meLatency = _meter.CreateHistogram<double>("gozar_me_latency", unit: "ms", description: "Middle-end round trip (nonce exchange, keepalive ping), by DC cluster");
        _middleRefreshes = _meter.CreateCounter<long>("gozar_me_config_refreshes", description: "Downloads of the middle-end secret and lists, by result");
        _meter.CreateObservableCounter(
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

        _meter.CreateObservableCounter(
            "gozar_user_bytes", () => PerUser(users(), Bytes), unit: "By", description: "Bytes relayed for each user, by direction");
        _meter.CreateObservableCounter(
            "gozar_user_sessions", () => PerUser(users(), u => [new(u.SessionsTotal, User(u))]), description: "Sessions admitted per user");
        _meter.CreateObservableGauge(
            "gozar_user_active_sessions", () => PerUser(users(), u => [new(u.ActiveSessions, User(u))]), description: "Open sessions per user");
        _meter.CreateObservableGauge(
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

    public void Handshake(HandshakeVerdict verdict)
    {
        Interlocked.Increment(ref _verdictTotals[(int)verdict]);
        _handshakes.Add(1, new KeyValuePair<string, object?>("verdict", VerdictName(verdict)));
    }

    public void SessionFinished(SessionOutcome outcome, ClientMode mode, long bytesUp, long bytesDown)
    {
        Interlocked.Increment(ref _outcomeTotals[(int)outcome]);
        _sessions.Add(1, new("outcome", outcome.ToString()), new("mode", mode.ToString()));
        _bytes.Add(bytesUp, new KeyValuePair<string, object?>("direction", "up"));
        _bytes.Add(bytesDown, new KeyValuePair<string, object?>("direction", "down"));
    }

    /// <summary>Totals per verdict since start, indexed by <see cref="HandshakeVerdict"/>.</summary>
    public long[] VerdictTotals() => Snapshot(_verdictTotals);

    /// <summary>Finished sessions since start, indexed by <see cref="SessionOutcome"/>.</summary>
    public long[] OutcomeTotals() => Snapshot(_outcomeTotals);

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

    public void Dispose() => _meter.Dispose();
}
