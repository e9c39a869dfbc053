using System.Diagnostics.Metrics;
using Gozar.Sessions;

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
        HandshakeVerdict.UntrustedProxySource => "untrusted_proxy_source",
        HandshakeVerdict.BadProxyHeader => "bad_proxy_header",
        _ => verdict.ToString().ToLowerInvariant(),
    };

    public void Dispose() => _meter.Dispose();
}
