using System.Net;
using Gozar.Protocol.FakeTls;

namespace Gozar.Configuration;

/// <summary>The whole validated configuration. Built only by <see cref="ConfigLoader"/>; immutable.</summary>
public sealed record ProxyOptions
{
    public required IReadOnlyList<IPEndPoint> Listen { get; init; }

    /// <summary>Host written into links; null when the operator did not set one. IPv6 literals are stored without brackets.</summary>
    public string? PublicHost { get; init; }

    public required ModeOptions Modes { get; init; }
    public required TlsOptions Tls { get; init; }
    public required IReadOnlyList<UserOptions> Users { get; init; }
    public required UpstreamOptions Upstream { get; init; }
    public required TimeoutOptions Timeouts { get; init; }
    public required LimitOptions Limits { get; init; }
    public required LogOptions Log { get; init; }

    /// <summary>Where per-user usage survives restarts; defaults to no state file (code-built options, tests).</summary>
    public StateOptions State { get; init; } = new();

    public ProxyProtocolOptions ProxyProtocol { get; init; } = new();

    /// <summary>The admin listener; null when the config has no [admin] section.</summary>
    public AdminOptions? Admin { get; init; }
}

public sealed record ModeOptions(bool Classic, bool Secure, bool Tls);

public sealed record TlsOptions
{
    /// <summary>Accepted SNI names; the first goes into ee secrets and links.</summary>
    public required IReadOnlyList<string> Domains { get; init; }

    /// <summary>
    /// Where unauthenticated connections are relayed (default: first domain, port 443). An empty
    /// Host with port 0 means there is none: TLS mode is off and no domain is configured.
    /// </summary>
    public required HostEndpoint MaskHost { get; init; }

    /// <summary>
    /// Per SNI name, where a failed hello naming it is relayed. Empty when mask_host was set: then everything goes
    /// to <see cref="MaskHost"/>.
    /// </summary>
    public IReadOnlyDictionary<string, HostEndpoint> MaskHostsBySni { get; init; } = new Dictionary<string, HostEndpoint>();

    /// <summary>
    /// How long after accepting a connection the mask connection is opened in advance, so that a prober who sends
    /// nothing or stops mid-hello meets the mask site's own timers (default 100 ms). Only a connection that makes the
    /// handshake wait for its bytes gets one; a client whose hello is all there when first read is decided without.
    /// </summary>
    public TimeSpan MaskPreconnectDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>What a hello that authenticates but names an unknown SNI gets (default: masked).</summary>
    public UnknownSniPolicy UnknownSni { get; init; } = UnknownSniPolicy.Mask;

    /// <summary>How far a client's hello timestamp may lag behind our clock (default 20 min).</summary>
    public TimeSpan ClockSkewPast { get; init; } = TimeSpan.FromMinutes(20);

    /// <summary>How far a client's hello timestamp may run ahead of our clock (default 10 min).</summary>
    public TimeSpan ClockSkewFuture { get; init; } = TimeSpan.FromMinutes(10);

    public bool IgnoreClockSkew { get; init; }

    /// <summary>Entries in the replay cache of hello randoms, and as many in that of obfuscated2 inits (default 1,000,000).</summary>
    public int ReplayCacheEntries { get; init; } = 1_000_000;

    /// <summary>
    /// The shape of the fake server flight, read from the file <c>profile</c> names (written by
    /// <c>gozar tls-profile fetch</c>); null: <see cref="BuiltInTlsProfile"/> for the first domain.
    /// </summary>
    public TlsProfile? Profile { get; init; }
}

public enum UnknownSniPolicy
{
    /// <summary>Relay to the mask host, like any failed handshake.</summary>
    Mask,

    /// <summary>Answer with a fatal unrecognized_name alert, as nginx's ssl_reject_handshake does.</summary>
    Reject,

    /// <summary>Serve the client whatever SNI it sent, if its HMAC is right.</summary>
    Accept,
}

/// <summary>One user: a key plus the limits enforced on their new connections (0 = unlimited everywhere).</summary>
/// <param name="AdTag">This user's 16-byte ad tag (middle mode); null: the global upstream.ad_tag, if any.</param>
public sealed record UserOptions(string Name, byte[] Secret, byte[]? AdTag = null)
{
    /// <summary>False: the key stays reserved but every connection with it is masked (default true).</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Open sessions at once; 0 = unlimited (default).</summary>
    public int MaxConnections { get; init; }

    /// <summary>Distinct client addresses within limits.unique_ip_window; 0 = unlimited (default).</summary>
    public int MaxUniqueIps { get; init; }

    /// <summary>Bytes both ways per quota period; 0 = unlimited (default).</summary>
    public long Quota { get; init; }

    public QuotaReset QuotaReset { get; init; } = QuotaReset.Never;

    /// <summary>From this instant on the user is refused and their sessions end; null = never (default).</summary>
    public DateTimeOffset? Expires { get; init; }

    /// <summary>Free text for the operator (who this is); never logged.</summary>
    public string? Note { get; init; }

    /// <summary>Same key and limits: a reload leaves such a user's sessions alone.</summary>
    public bool SameAs(UserOptions other) =>
        other is not null && Name == other.Name && Secret.AsSpan().SequenceEqual(other.Secret) && Enabled == other.Enabled
        && MaxConnections == other.MaxConnections && MaxUniqueIps == other.MaxUniqueIps && Quota == other.Quota
        && QuotaReset == other.QuotaReset && Expires == other.Expires && Note == other.Note
        && AdTag.AsSpan().SequenceEqual(other.AdTag);
}

public enum QuotaReset
{
    /// <summary>The quota is for the user's whole life.</summary>
    Never,

    /// <summary>Usage starts again at 00:00 UTC on the first of every month.</summary>
    Monthly,
}

public sealed record StateOptions
{
    /// <summary>
    /// The JSON file holding per-user usage and recent client-address keys; null = nothing is persisted. A config
    /// file's default is "&lt;name&gt;.state.json" next to it.
    /// </summary>
    public string? File { get; init; }

    /// <summary>How often the state file is rewritten while usage changes (default 1 min); also written at stop.</summary>
    public TimeSpan SaveInterval { get; init; } = TimeSpan.FromMinutes(1);
}

public enum UpstreamMode
{
    /// <summary>Obfuscated2 straight to the DC (spec §4).</summary>
    Direct,

    /// <summary>RPC to Telegram's middle-end servers (spec §7); needed for the ad tag.</summary>
    Middle,
}

public enum IpPreference
{
    PreferIpv4,
    PreferIpv6,
    OnlyIpv4,
    OnlyIpv6,
}

public sealed record UpstreamOptions
{
    public UpstreamMode Mode { get; init; } = UpstreamMode.Direct;
    public IpPreference IpPreference { get; init; } = IpPreference.PreferIpv4;

    /// <summary>
    /// Keys are a signed DC id as canonical text ("2", "-2", "203"; "+2" or "02" in the file become "2")
    /// or "*" for every id not listed.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<HostEndpoint>> DcOverrides { get; init; } =
        new Dictionary<string, IReadOnlyList<HostEndpoint>>();

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a host name's addresses (mask_host, DC overrides by name) are used before it is looked up again; 0 = at
    /// every connection. A lookup that fails keeps the last answer. Default 1 min (spec §6.1: others re-resolve the
    /// mask host every 1-2 min).
    /// </summary>
    public TimeSpan DnsCache { get; init; } = DefaultDnsCache;

    public static readonly TimeSpan DefaultDnsCache = TimeSpan.FromMinutes(1);

    /// <summary>Spec §4.3: DC-to-client bytes need no re-encryption. On by default.</summary>
    public bool FastMode { get; init; } = true;

    /// <summary>The 16-byte ad tag from @MTProxybot for users without their own; null for none. Middle mode only.</summary>
    public byte[]? AdTag { get; init; }

    public MiddleOptions Middle { get; init; } = new();
}

/// <summary>[upstream.middle]: the middle-end files, their refresh, and the ME connection pool (spec §7).</summary>
public sealed record MiddleOptions
{
    public const string TelegramSecretUrl = "https://core.telegram.org/getProxySecret";
    public const string TelegramConfigUrl = "https://core.telegram.org/getProxyConfig";
    public const string TelegramConfigV6Url = "https://core.telegram.org/getProxyConfigV6";

    /// <summary>The proxy secret (getProxySecret's body). Required in middle mode.</summary>
    public string ProxySecretFile { get; init; } = string.Empty;

    /// <summary>The IPv4 middle-end list (getProxyConfig). Required in middle mode.</summary>
    public string ProxyConfigFile { get; init; } = string.Empty;

    /// <summary>The IPv6 middle-end list (getProxyConfigV6); null: IPv4 middle-ends only.</summary>
    public string? ProxyConfigV6File { get; init; }

    /// <summary>How often the files are downloaded again; zero (the default) never: no outbound connection but to the MEs.</summary>
    public TimeSpan Refresh { get; init; } = TimeSpan.Zero;

    public Uri SecretUrl { get; init; } = new(TelegramSecretUrl);
    public Uri ConfigUrl { get; init; } = new(TelegramConfigUrl);
    public Uri ConfigV6Url { get; init; } = new(TelegramConfigV6Url);

    /// <summary>How long one download of the three files may take (default 30 s).</summary>
    public TimeSpan DownloadTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The public IPv4 the MEs see when the server is behind NAT; null: the local address of each connection.</summary>
    public IPAddress? NatIp { get; init; }

    /// <summary>ME connections kept per DC cluster once a client used it; clients are spread over them (default 2).</summary>
    public int ConnectionsPerDc { get; init; } = 2;

    /// <summary>Longest time from TCP connect to the ME's RPC_HANDSHAKE (default 10 s).</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>An RPC_PING goes to an ME connection idle this long, and its answer gives the latency (default 30 s; 0 = never).</summary>
    public TimeSpan Keepalive { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// On an ME connection whose middle-end has answered a ping, a keepalive ping that nothing has come back after for
    /// this long closes the connection: its clients end and reconnect instead of waiting for TCP to give up (default 10 s).
    /// </summary>
    public TimeSpan PongTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>First wait before replacing a lost ME connection; it doubles per failure up to 64 times this (default 1 s).</summary>
    public TimeSpan ReconnectDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The reconnect delay doubles per failure up to this multiple of <see cref="ReconnectDelay"/> (default 64).</summary>
    public int ReconnectBackoff { get; init; } = 64;

    /// <summary>
    /// Frames queued towards one ME connection before its clients wait (default 1024). Each queued frame holds a pooled
    /// buffer, and the pool keeps 1024 arrays of a size: a deeper queue allocates when it fills.
    /// </summary>
    public int SendQueueFrames { get; init; } = 1024;

    /// <summary>An ME whose nonce time differs from ours by more than this is refused, as the official proxy does (default 30 s).</summary>
    public TimeSpan ClockSkew { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Answers queued for one client that reads too slowly; past this it is closed so that the ME connection it shares
    /// never waits for it (default 4 MiB). One answer larger than this still goes to a client with nothing queued.
    /// </summary>
    public int ClientBufferBytes { get; init; } = 4 * 1024 * 1024;
}

public sealed record TimeoutOptions
{
    public TimeSpan Handshake { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan Idle { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>On SIGTERM/SIGINT, how long running sessions may go on before they are closed (default 20 s).</summary>
    public TimeSpan Drain { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// After this long without a new connection, compact the heap and give free memory back (default 2 s; zero: never).
    /// </summary>
    public TimeSpan MemoryTrim { get; init; } = TimeSpan.FromSeconds(2);
}

public sealed record LimitOptions
{
    /// <summary>Bytes of one pooled relay buffer per direction while data flows (default 64 KiB).</summary>
    public int RelayBufferBytes { get; init; } = 64 * 1024;

    /// <summary>Open client connections; at the limit the proxy stops accepting until one ends (default 10,000).</summary>
    public int MaxConnections { get; init; } = 10_000;

    /// <summary>Connections still in their handshake; at the limit the proxy stops accepting (default 4,096).</summary>
    public int MaxHandshakes { get; init; } = 4_096;

    /// <summary>Mask connections opened in advance at once (see TlsOptions.MaskPreconnectDelay); beyond it a
    /// connection is opened only when masking starts (default 256).</summary>
    public int MaxMaskPreconnects { get; init; } = 256;

    /// <summary>
    /// New connections per second one source address may open, refilled continuously; 0 = unlimited (default 20). A
    /// connection whose client authenticates gives its place back, so this bounds what fails, not the clients behind
    /// one address.
    /// </summary>
    public int PerIpRate { get; init; } = 20;

    /// <summary>How many new connections one source address may open at once, those still in their handshake included (default 100).</summary>
    public int PerIpBurst { get; init; } = 100;

    /// <summary>What a connection over its address's rate gets (default: masked, like a probe).</summary>
    public OverRateAction OverRate { get; init; } = OverRateAction.Mask;

    /// <summary>
    /// Source networks per_ip_rate does not count (default: loopback, 127.0.0.0/8 and ::1). Every client of a forwarder on
    /// the same host (or of a relay named here) shares its address, so a limit there would hold back the clients, not
    /// the probes; and no prober on the network can send from loopback.
    /// </summary>
    public IReadOnlyList<System.Net.IPNetwork> PerIpExempt { get; init; } = DefaultPerIpExempt;

    public static IReadOnlyList<System.Net.IPNetwork> DefaultPerIpExempt { get; } =
        [System.Net.IPNetwork.Parse("127.0.0.0/8"), System.Net.IPNetwork.Parse("::1/128")];

    /// <summary>
    /// How long a client address still counts towards its user's max_unique_ips after its last session ended
    /// (default 10 min): a phone hopping between Wi-Fi and mobile is not locked out, a shared key is.
    /// </summary>
    public TimeSpan UniqueIpWindow { get; init; } = TimeSpan.FromMinutes(10);

    // By value, the exempt networks included, as the other fields compare: two loads of one file are equal.
    public bool Equals(LimitOptions? other) =>
        other is not null && RelayBufferBytes == other.RelayBufferBytes && MaxConnections == other.MaxConnections
        && MaxHandshakes == other.MaxHandshakes && MaxMaskPreconnects == other.MaxMaskPreconnects
        && PerIpRate == other.PerIpRate && PerIpBurst == other.PerIpBurst && OverRate == other.OverRate
        && PerIpExempt.SequenceEqual(other.PerIpExempt) && UniqueIpWindow == other.UniqueIpWindow;

    public override int GetHashCode() => HashCode.Combine(MaxConnections, MaxHandshakes, PerIpRate, PerIpBurst, PerIpExempt.Count);
}

public enum OverRateAction
{
    /// <summary>Relayed to the mask host without being looked at.</summary>
    Mask,

    /// <summary>Closed at once.</summary>
    Close,
}

public enum LogLevelOption
{
    Trace,
    Debug,
    Information,
    Warning,
    Error,
}

public sealed record LogOptions
{
    public LogLevelOption Level { get; init; } = LogLevelOption.Information;
    public bool ClientIps { get; init; }
}

/// <summary>A host name or IP literal with a port, as written in the config ("example.com:443", "[::1]:443").</summary>
public sealed record HostEndpoint(string Host, int Port)
{
    public override string ToString() =>
        Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}
