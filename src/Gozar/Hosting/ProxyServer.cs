using System.Net;
using Gozar.Configuration;
using Gozar.Diagnostics;
using Gozar.Listening;
using Gozar.Sessions;
using Microsoft.Extensions.Logging;

namespace Gozar.Hosting;

/// <summary>A running proxy: its listeners, shared session context and idle sweeper.</summary>
public sealed class ProxyServer : IAsyncDisposable
{
    private readonly List<Listener> _listeners;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _acceptLoops = [];
    private readonly ITimer _sweeper;
    private readonly ProbeSummary _probeSummary;

    private ProxyServer(SessionContext context, List<Listener> listeners)
    {
        Context = context;
        _listeners = listeners;
        _probeSummary = new ProbeSummary(context.Metrics, context.Logger, context.Time, ProbeSummaryInterval);
        var idle = context.Options.Timeouts.Idle;
        var period = TimeSpan.FromTicks(Math.Clamp(idle.Ticks / 4, TimeSpan.FromMilliseconds(100).Ticks, TimeSpan.FromSeconds(30).Ticks));
        _sweeper = context.Time.CreateTimer(
            _ =>
            {
                context.Registry.SweepIdle(idle);
                context.Admission.Sweep();
            },
            null,
            period,
            period);
    }

    /// <summary>How often the count of masked connections by kind is logged (when there were any).</summary>
    private static readonly TimeSpan ProbeSummaryInterval = TimeSpan.FromMinutes(5);

    public SessionContext Context { get; }

    public IReadOnlyList<IPEndPoint> Endpoints => _listeners.ConvertAll(l => l.LocalEndPoint);

    /// <summary>Binds every listener, or none: returns the first bind failure as one line.</summary>
    public static ProxyServer? TryStart(ProxyOptions options, ProxyEnvironment environment, out string? error)
    {
        var logger = environment.Loggers.CreateLogger("Gozar");
        var listeners = new List<Listener>();
        foreach (var endpoint in options.Listen)
        {
            var listener = Listener.TryBind(endpoint, logger, out error, options.ProxyProtocol.Listeners.Contains(endpoint));
            if (listener is null)
            {
                listeners.ForEach(l => l.Dispose());
                return null;
            }

            listeners.Add(listener);
        }

        var metrics = new GozarMetrics();
        WarnIfAdTagIgnored(options, logger);
        Upstream.Middle.MiddleUpstream? middle = null;
        if (options.Upstream.Mode == UpstreamMode.Middle)
        {
            middle = StartMiddle(options, environment, logger, metrics, out error);
            if (middle is null)
            {
                listeners.ForEach(l => l.Dispose());
                metrics.Dispose();
                return null;
            }
        }

        error = null;
        var server = new ProxyServer(new SessionContext(options, environment, logger, metrics) { Middle = middle }, listeners);
        if (options.Modes.Tls)
        {
            Log.TlsProfileInUse(logger, server.Context.TlsProfile.Source);
        }

        foreach (var listener in listeners)
        {
            server._acceptLoops.Add(listener.AcceptLoopAsync(() => server.Context, server._stopping.Token));
        }

        return server;
    }

    private static void WarnIfAdTagIgnored(ProxyOptions options, ILogger logger)
    {
        if (options.Upstream.Mode == UpstreamMode.Direct && (options.Upstream.AdTag is not null || options.Users.Any(u => u.AdTag is not null)))
        {
            Log.AdTagIgnored(logger);
        }
    }

    private static Upstream.Middle.MiddleUpstream? StartMiddle(
        ProxyOptions options, ProxyEnvironment environment, ILogger logger, GozarMetrics metrics, out string? error)
    {
        var upstream = options.Upstream;
        var connector = new Upstream.Connector(upstream.ConnectTimeout, upstream.IpPreference, environment.Time, environment.Resolve);
        var middleEnvironment = new Upstream.Middle.MiddleEnvironment(upstream.Middle, environment.Time, environment.Random, environment.Buffers, metrics, logger)
        {
            ProcessPort = (ushort)(options.Listen.Count > 0 ? options.Listen[0].Port : 0),
            StartTime = (uint)environment.Time.GetUtcNow().ToUnixTimeSeconds(),
        };
        return Upstream.Middle.MiddleUpstream.TryCreate(upstream, connector, middleEnvironment, out error);
    }

    /// <summary>
    /// Graceful stop: no new connections, running sessions may finish for up to <paramref name="drain"/> (or until
    /// <paramref name="now"/> is cancelled, e.g. by a second signal), then the rest are closed.
    /// </summary>
    public async Task StopAsync(TimeSpan drain, CancellationToken now)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _listeners.ForEach(l => l.Dispose());
        await Task.WhenAll(_acceptLoops).ConfigureAwait(false);
        using var deadline = new CancellationTokenSource(drain, Context.Time);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, now);
        await Context.Registry.WaitUntilEmptyAsync(either.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        Context.Registry.AbortAll();
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _listeners.ForEach(l => l.Dispose());
        await Task.WhenAll(_acceptLoops).ConfigureAwait(false);
        _sweeper.Dispose();
        _probeSummary.Dispose();
        Context.Metrics.Dispose();
        Context.Registry.AbortAll();
        if (Context.Middle is { } middle)
        {
            await middle.DisposeAsync().ConfigureAwait(false);
        }

        _stopping.Dispose();
    }
}
