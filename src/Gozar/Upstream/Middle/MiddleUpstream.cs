using System.Collections.Concurrent;
using System.Net;
using Gozar.Configuration;
using Gozar.Diagnostics;
using Gozar.Protocol.MiddleProxy;

namespace Gozar.Upstream.Middle;

/// <summary>
/// Middle-proxy mode for a running proxy: the middle-end files, their refresh, and a pool of ME connections per DC
/// cluster. Routing (spec §7.6): the client's signed DC id as listed in proxy_for lines (media ids, 203), else the
/// default cluster. A reload that changes the upstream retires it: sessions that entered keep it until they end, and
/// the last one out disposes it (its ME connections close).
/// </summary>
public sealed class MiddleUpstream : IAsyncDisposable
{
    private readonly ConcurrentDictionary<int, MeCluster> _clusters = new();
    private readonly MiddleEnvironment _environment;
    private readonly IpPreference _preference;
    private readonly TaskCompletionSource _disposed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Sessions that entered, plus one while this is the server's upstream; at zero it is disposed.</summary>
    private int _holds = 1;

    private int _disposing;

    private MiddleUpstream(MiddleFiles files, Connector connector, MiddleEnvironment environment, IpPreference preference)
    {
        Files = files;
        Connector = connector;
        _environment = environment;
        _preference = preference;
    }

    public MiddleFiles Files { get; }

    /// <summary>Null unless upstream.middle.refresh is set.</summary>
    public MiddleConfigRefresher? Refresher { get; private set; }

    internal Connector Connector { get; }

    /// <summary>
    /// Reads the files. Without refresh they must be there and valid (the error names the key); with refresh a
    /// missing or bad file is downloaded at once and clients fail cleanly until it is.
    /// </summary>
    public static MiddleUpstream? TryCreate(UpstreamOptions upstream, Connector connector, MiddleEnvironment environment, out string? error)
    {
        var options = upstream.Middle;
        var files = new MiddleFiles(options);
        var problem = files.Load();
        if (problem is not null && options.Refresh == TimeSpan.Zero)
        {
            error = problem;
            return null;
        }

        error = null;
        var middle = new MiddleUpstream(files, connector, environment, upstream.IpPreference);
        if (options.Refresh > TimeSpan.Zero)
        {
            if (problem is not null)
            {
                Log.MiddleFilesMissing(environment.Logger, problem);
            }

            middle.Refresher = new MiddleConfigRefresher(options, files, upstream.ConnectTimeout, environment.Metrics, environment.Logger);
            middle.Refresher.Start(environment.Time, now: problem is not null);
        }

        return middle;
    }

    /// <summary>Completes once the upstream is disposed: retired and its last session gone, or the server stopped.</summary>
    public Task Disposed => _disposed.Task;

    /// <summary>A session starts using this upstream; false once it is retired and drained (the session cannot use it).</summary>
    public bool TryEnter()
    {
        while (Volatile.Read(ref _holds) is var holds and > 0)
        {
            if (Interlocked.CompareExchange(ref _holds, holds + 1, holds) == holds)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A session that entered has ended.</summary>
    public void Exit()
    {
        if (Interlocked.Decrement(ref _holds) == 0)
        {
            _ = DisposeAsync().AsTask();
        }
    }

    /// <summary>The server no longer hands this upstream to new sessions: it is disposed when the last one that entered ends.</summary>
    public void Retire() => Exit();

    /// <summary>The cluster serving <paramref name="dc"/>, or null when the lists have none for it (nor a default).</summary>
    public MeCluster? Resolve(short dc)
    {
        var snapshot = Files.Current;
        if (snapshot is null)
        {
            return null;
        }

        var (first, second) = Ordered(snapshot);
        if (!first.TryResolve(dc, out var cluster, out _) && (second is null || !second.TryResolve(dc, out cluster, out _)))
        {
            return null;
        }

        return _clusters.GetOrAdd(cluster, id => new MeCluster(id, this, _environment));
    }

    /// <summary>The cluster's addresses from the current lists, preferred family first.</summary>
    internal List<IPEndPoint> AddressesFor(int cluster)
    {
        var addresses = new List<IPEndPoint>();
        if (Files.Current is not { } snapshot)
        {
            return addresses;
        }

        var (first, second) = Ordered(snapshot);
        if (first.Clusters.TryGetValue(cluster, out var preferred))
        {
            addresses.AddRange(preferred);
        }

        if (second is not null && second.Clusters.TryGetValue(cluster, out var other))
        {
            addresses.AddRange(other);
        }

        return addresses;
    }

    private (ProxyConfig First, ProxyConfig? Second) Ordered(MiddleSnapshot snapshot) => _preference switch
    {
        IpPreference.OnlyIpv4 => (snapshot.Ipv4, null),
        IpPreference.OnlyIpv6 when snapshot.Ipv6 is not null => (snapshot.Ipv6, null),
        IpPreference.PreferIpv6 when snapshot.Ipv6 is not null => (snapshot.Ipv6, snapshot.Ipv4),
        _ => (snapshot.Ipv4, snapshot.Ipv6),
    };

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposing, 1) != 0)
        {
            await _disposed.Task.ConfigureAwait(false);
            return;
        }

        Refresher?.Dispose();
        foreach (var cluster in _clusters.Values)
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
        }

        _disposed.TrySetResult();
    }
}
