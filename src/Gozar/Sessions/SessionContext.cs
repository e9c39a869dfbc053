using Gozar.AntiReplay;
using Gozar.Configuration;
using Gozar.Diagnostics;
using Gozar.Upstream;
using Gozar.Users;
using Microsoft.Extensions.Logging;

namespace Gozar.Sessions;

/// <summary>What every session of one running configuration shares.</summary>
public sealed class SessionContext
{
    public SessionContext(ProxyOptions options, TimeProvider time, IRandomSource random, ILogger logger, GozarMetrics metrics)
    {
        Metrics = metrics;
        Options = options;
        Time = time;
        Random = random;
        Logger = logger;
        Users = new UserDirectory(options.Users);
        Dcs = new DcDirectory(options.Upstream);
        DcConnector = new Connector(options.Upstream.ConnectTimeout, options.Upstream.IpPreference, time);
        Replay = new ReplayCache(
            options.Tls.ReplayCacheEntries, options.Tls.ClockSkewPast + options.Tls.ClockSkewFuture, time);
        TlsDomains = [.. options.Tls.Domains];
    }

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
    public ReplayCache Replay { get; }
    public SessionRegistry Registry { get; } = new();
}
