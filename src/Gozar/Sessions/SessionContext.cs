using System.Buffers;
using System.Runtime.CompilerServices;
using Gozar.AntiReplay;
using Gozar.Configuration;
using Gozar.Diagnostics;
using Gozar.Hosting;
using Gozar.Listening;
using Gozar.Protocol.FakeTls;
using Gozar.Upstream;
using Gozar.Users;
using Microsoft.Extensions.Logging;

namespace Gozar.Sessions;

/// <summary>
/// What every session of one running configuration shares. A reload builds a new context from the new options and the
/// previous context: sessions keep the context they started with, while the session registry, the users' accounts, the
/// count of mask preconnects, the replay caches and the counts of open connections and handshakes carry over (the
/// admission bounds themselves when their options did not change).
/// </summary>
public sealed class SessionContext
{
    /// <param name="addressSalt">This install's salt for client-address keys (from the state file); null: a fresh one.</param>
    public SessionContext(
        ProxyOptions options, ProxyEnvironment environment, ILogger logger, GozarMetrics metrics, byte[]? addressSalt = null)
        : this(options, environment, logger, metrics, previous: null, addressSalt)
    {
    }

    private SessionContext(
        ProxyOptions options, ProxyEnvironment environment, ILogger logger, GozarMetrics metrics, SessionContext? previous,
        byte[]? addressSalt)
    {
        var time = environment.Time;
        Environment = environment;
        Buffers = environment.Buffers;
        Metrics = metrics;
        Options = options;
        Time = time;
        Random = environment.Random;
        Logger = logger;
        Registry = previous?.Registry ?? new SessionRegistry();
        RepeatedLines = previous?.RepeatedLines ?? new LogGate(time);
        _maskPreconnects = previous?._maskPreconnects ?? new StrongBox<int>();
        Accounts = previous?.Accounts ?? new UserRegistry(time, EndUserSessions);
        Changes = Accounts.Apply(options.Users, options.Limits.UniqueIpWindow);
        Users = new UserDirectory(options.Users, Accounts.Accounts);
        if (previous is not null)
        {
            // A reload may have removed users: their keyed HMAC contexts go too.
            ClientHelloValidator.ForgetKeys();
        }

        AddressKeys = new ClientAddressKeys(addressSalt ?? previous?.AddressKeys.Salt.ToArray() ?? NewSalt(environment.Random), options.Log.ClientIps);
        Dcs = new DcDirectory(options.Upstream);
        // Carried over when its settings stay, and with it the addresses of the names it looked up.
        DcConnector = previous is not null && SameConnector(previous.Options.Upstream, options.Upstream)
            ? previous.DcConnector
            : new Connector(options.Upstream.ConnectTimeout, options.Upstream.IpPreference, time, environment.Resolve, options.Upstream.DnsCache);
        // A hello older than the clock-skew window is refused by its timestamp, so the cache needs to cover only the
        // window; with the clock check off, and for obfuscated2 inits (no time in them), it is the only protection.
        var window = HelloReplayWindow(options.Tls);
        // Carried over whatever changed: a fresh cache would serve a replay of any handshake accepted before the reload.
        Replay = previous?.Replay.Reconfigure(options.Tls.ReplayCacheEntries, window)
            ?? new ReplayCache(options.Tls.ReplayCacheEntries, window, time);
        InitReplay = previous?.InitReplay.Reconfigure(options.Tls.ReplayCacheEntries, window: null)
            ?? new ReplayCache(options.Tls.ReplayCacheEntries, window: null, time);
        TlsDomains = [.. options.Tls.Domains];
        Admission = previous is not null && SameAdmission(previous.Options.Limits, options.Limits)
            ? previous.Admission
            : new Admission(options.Limits, time, logger, previous?.Admission);
        TlsProfile = options.Tls.Profile ?? BuiltInTlsProfile.For(options.Tls.Domains.Count > 0 ? options.Tls.Domains[0] : string.Empty);
    }

    /// <summary>The context for <paramref name="options"/> that follows this one; applies the new users to the accounts.</summary>
    public SessionContext Next(ProxyOptions options) => Next(options, Middle);

    /// <summary>The context for <paramref name="options"/> with another middle upstream (a reload changed it).</summary>
    public SessionContext Next(ProxyOptions options, Upstream.Middle.MiddleUpstream? middle) =>
        new(options, Environment, Logger, Metrics, this, addressSalt: null) { Middle = middle };

    /// <summary>What applying this context's users changed (one line each), for the reload log.</summary>
    public IReadOnlyList<string> Changes { get; }

    public ProxyEnvironment Environment { get; }

    /// <summary>Every user's live account; the same object for the life of the server.</summary>
    public UserRegistry Accounts { get; }

    /// <summary>How client addresses are remembered per user (salted HMAC unless log_client_ips).</summary>
    public ClientAddressKeys AddressKeys { get; }

    private void EndUserSessions(UserAccount account, SessionOutcome reason)
    {
        Log.UserSessionsEnded(Logger, account.Name, reason.ToString());
        Registry.AbortUser(account, reason);
    }

    private static TimeSpan? HelloReplayWindow(TlsOptions tls) => tls.IgnoreClockSkew ? null : tls.ClockSkewPast + tls.ClockSkewFuture;

    private static bool SameConnector(UpstreamOptions a, UpstreamOptions b) =>
        a.ConnectTimeout == b.ConnectTimeout && a.IpPreference == b.IpPreference && a.DnsCache == b.DnsCache;

    private static bool SameAdmission(LimitOptions a, LimitOptions b) =>
        a.MaxConnections == b.MaxConnections && a.MaxHandshakes == b.MaxHandshakes && a.PerIpRate == b.PerIpRate
        && a.PerIpBurst == b.PerIpBurst && a.PerIpExempt.SequenceEqual(b.PerIpExempt);

    private static byte[] NewSalt(IRandomSource random)
    {
        var salt = new byte[ClientAddressKeys.SaltLength];
        random.Fill(salt);
        return salt;
    }

    /// <summary>Every buffer a session rents: the shared pool, or a counting one in tests.</summary>
    public ArrayPool<byte> Buffers { get; }

    /// <summary>Shapes every fake-TLS server flight; loaded once with the configuration.</summary>
    public TlsProfile TlsProfile { get; }

    /// <summary>Connection and handshake bounds and the per-address rate, shared by every listener.</summary>
    public Admission Admission { get; }

    public int MaskPreconnects => Volatile.Read(ref _maskPreconnects.Value);

    // One count for the process: the preconnects of sessions that started before a reload still hold their places.
    private readonly StrongBox<int> _maskPreconnects;

    /// <summary>Claims one of limits.max_mask_preconnects; false when all are in use.</summary>
    public bool TryReservePreconnect()
    {
        if (Interlocked.Increment(ref _maskPreconnects.Value) <= Options.Limits.MaxMaskPreconnects)
        {
            return true;
        }

        Interlocked.Decrement(ref _maskPreconnects.Value);
        return false;
    }

    public void ReleasePreconnect() => Interlocked.Decrement(ref _maskPreconnects.Value);

    /// <summary>The SNI names a fake-TLS hello may carry.</summary>
    public string[] TlsDomains { get; }

    public ProxyOptions Options { get; }
    public GozarMetrics Metrics { get; }
    public TimeProvider Time { get; }
    public IRandomSource Random { get; }
    public ILogger Logger { get; }
    public UserDirectory Users { get; }
    public DcDirectory Dcs { get; }
    public Connector DcConnector { get; }

    /// <summary>Client randoms of accepted fake-TLS hellos.</summary>
    public ReplayCache Replay { get; }

    /// <summary>Key material of accepted obfuscated2 inits (classic and secure): kept until capacity pushes it out.</summary>
    public ReplayCache InitReplay { get; }

    public SessionRegistry Registry { get; }

    /// <summary>Holds back log lines that every connection could repeat during an outage; carried over by reloads.</summary>
    public LogGate RepeatedLines { get; }

    /// <summary>The ME connection pools when upstream.mode = "middle"; null in direct mode. Kept across reloads.</summary>
    public Upstream.Middle.MiddleUpstream? Middle { get; init; }
}
