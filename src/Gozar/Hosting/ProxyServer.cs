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
        Exporter = new PrometheusExporter(context.Metrics.Meter);
        ProxyGauges.Register(context.Metrics.Meter, () => Context);
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

    /// <summary>This proxy's instruments as Prometheus text, for /metrics.</summary>
    public PrometheusExporter Exporter { get; }

    public IReadOnlyList<IPEndPoint> Endpoints => _listeners.ConvertAll(l => l.LocalEndPoint);

    /// <summary>Binds every listener, or none: returns the first bind failure as one line.</summary>
    public static ProxyServer? TryStart(ProxyOptions options, ProxyEnvironment environment, out string? error)
    {
        var logger = environment.Loggers.CreateLogger("Gozar");
        var listeners = new List<Listener>();
        foreach (var endpoint in options.Listen)
        {
            var listener = Listener.TryBind(endpoint, logger, out error);
            if (listener is null)
            {
                listeners.ForEach(l => l.Dispose());
                return null;
            }

            listeners.Add(listener);
        }

        error = null;
        var server = new ProxyServer(new SessionContext(options, environment, logger, new GozarMetrics()), listeners);
        foreach (var listener in listeners)
        {
            server._acceptLoops.Add(listener.AcceptLoopAsync(() => server.Context, server._stopping.Token));
        }

        return server;
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
        Exporter.Dispose();
        Context.Metrics.Dispose();
        Context.Registry.AbortAll();
        _stopping.Dispose();
    }
}
