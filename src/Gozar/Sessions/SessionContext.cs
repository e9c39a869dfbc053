using System.Buffers;
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

/// <summary>What every session of one running configuration shares.</summary>
public sealed class SessionContext
{
    public SessionContext(ProxyOptions options, ProxyEnvironment environment, ILogger logger, GozarMetrics metrics)
    {
        var time = environment.Time;
        Buffers = environment.Buffers;
        Metrics = metrics;
        Options = options;
        Time = time;
        Random = environment.Random;
        Logger = logger;
        Users = new UserDirectory(options.Users);
        Dcs = new DcDirectory(options.Upstream);
        DcConnector = new Connector(options.Upstream.ConnectTimeout, options.Upstream.IpPreference, time, environment.Resolve);
        Replay = new ReplayCache(
            options.Tls.ReplayCacheEntries, options.Tls.ClockSkewPast + options.Tls.ClockSkewFuture, time);
        TlsDomains = [.. options.Tls.Domains];
        Admission = new Admission(options.Limits, time);
        TlsProfile = options.Tls.Profile ?? BuiltInTlsProfile.For(options.Tls.Domains.Count > 0 ? options.Tls.Domains[0] : string.Empty);
    }

    /// <summary>Every buffer a session rents: the shared pool, or a counting one in tests.</summary>
    public ArrayPool<byte> Buffers { get; }

    /// <summary>Shapes every fake-TLS server flight; loaded once with the configuration.</summary>
    public TlsProfile TlsProfile { get; }

    /// <summary>Connection and handshake bounds and the per-address rate, shared by every listener.</summary>
    public Admission Admission { get; }

    public int MaskPreconnects => Volatile.Read(ref _maskPreconnects);

    private int _maskPreconnects;

    /// <summary>Claims one of limits.max_mask_preconnects; false when all are in use.</summary>
    public bool TryReservePreconnect()
    {
        if (Interlocked.Increment(ref _maskPreconnects) <= Options.Limits.MaxMaskPreconnects)
        {
            return true;
        }

        Interlocked.Decrement(ref _maskPreconnects);
        return false;
    }

    public void ReleasePreconnect() => Interlocked.Decrement(ref _maskPreconnects);

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

    /// <summary>The ME connection pools when upstream.mode = "middle"; null in direct mode.</summary>
    public Upstream.Middle.MiddleUpstream? Middle { get; init; }
}
