using System.Net;
using Gozar.Configuration;
using Gozar.Diagnostics;
using Gozar.Listening;
using Gozar.Protocol.Crypto;
using Gozar.Sessions;
using Gozar.Users;
using Microsoft.Extensions.Logging;

namespace Gozar.Hosting;

/// <summary>
/// A running proxy: its listeners, the current session context, the idle sweeper, user enforcement and the state file.
/// <see cref="Apply"/> swaps in a new configuration without touching sessions it does not concern.
/// </summary>
public sealed class ProxyServer : IAsyncDisposable
{
    /// <summary>How often expiries, new quota periods and removed users are checked: "within seconds".</summary>
    private static readonly TimeSpan UserEnforcementPeriod = TimeSpan.FromSeconds(1);

    /// <summary>How often the memory trim looks for a quiet spell (timeouts.memory_trim, to within this).</summary>
    private static readonly TimeSpan MemoryTrimPeriod = TimeSpan.FromSeconds(1);

    /// <summary>How often the count of masked connections by kind is logged (when there were any).</summary>
    private static readonly TimeSpan ProbeSummaryInterval = TimeSpan.FromMinutes(5);

    private readonly Lock _applying = new();
    private readonly Dictionary<IPEndPoint, RunningListener> _listeners = [];

    /// <summary>Middle upstreams replaced by a reload, still serving the sessions that started on them.</summary>
    private readonly List<Upstream.Middle.MiddleUpstream> _retired = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly ITimer _sweeper;
    private readonly ITimer _enforcer;
    private readonly ITimer _trimmer;
    private readonly ProbeSummary _probeSummary;
    private readonly UserStateStore? _state;
    private volatile SessionContext _context;

    private ProxyServer(SessionContext context, UserStateStore? state)
    {
        _context = context;
        _state = state;
        Exporter = new PrometheusExporter(context.Metrics.Meter);
        ProxyGauges.Register(context.Metrics.Meter, () => Context);
        _probeSummary = new ProbeSummary(context.Metrics, context.Logger, context.Time, ProbeSummaryInterval);
        context.Metrics.ObserveUsers(() => Context.Accounts.Snapshot());
        var period = SweepPeriod(context.Options.Timeouts.Idle);
        _sweeper = context.Time.CreateTimer(
            _ =>
            {
                var current = Context;
                current.Registry.SweepIdle(current.Options.Timeouts.Idle);
                current.Admission.Sweep();
            },
            null,
            period,
            period);
        _enforcer = context.Time.CreateTimer(_ => Context.Accounts.Enforce(), null, UserEnforcementPeriod, UserEnforcementPeriod);
        var trim = new MemoryTrim(context.Time, () => GC.GetTotalAllocatedBytes(), TrimMemory);
        _trimmer = context.Time.CreateTimer(
            _ =>
            {
                var current = Context;
                trim.Tick(current.Registry.Started, current.Options.Timeouts.MemoryTrim);
            },
            null,
            MemoryTrimPeriod,
            MemoryTrimPeriod);
    }

    /// <summary>
    /// One blocking, compacting collection that decommits what it frees; relays pause with it, about 3-6 ms per thousand
    /// open connections (22-51 ms measured with 8,000). See <see cref="Hosting.MemoryTrim"/>.
    /// </summary>
    private void TrimMemory()
    {
        var context = Context;
        var before = GC.GetGCMemoryInfo().TotalCommittedBytes;
        var started = context.Time.GetTimestamp();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        var pause = context.Time.GetElapsedTime(started);
        Log.MemoryTrimmed(context.Logger, before >> 20, GC.GetGCMemoryInfo().TotalCommittedBytes >> 20, (long)pause.TotalMilliseconds);
    }

    /// <summary>The context new connections get; sessions keep the one they started with.</summary>
    public SessionContext Context => _context;

    /// <summary>How often idle connections are looked for: a quarter of timeouts.idle, between 100 ms and 30 s.</summary>
    internal static TimeSpan SweepPeriod(TimeSpan idle) =>
        TimeSpan.FromTicks(Math.Clamp(idle.Ticks / 4, TimeSpan.FromMilliseconds(100).Ticks, TimeSpan.FromSeconds(30).Ticks));

    /// <summary>Every user's live account and usage; the same object across reloads.</summary>
    public UserRegistry Users => _context.Accounts;

    /// <summary>This proxy's instruments as Prometheus text, for /metrics.</summary>
    public PrometheusExporter Exporter { get; }

    /// <summary>Reloads and edits the config file this server was started from; null when started from options in code.</summary>
    public ConfigReloader? Reloader { get; internal set; }

    /// <summary>Where usage is saved; null when the options name no state file.</summary>
    public UserStateStore? State => _state;

    public IReadOnlyList<IPEndPoint> Endpoints
    {
        get
        {
            lock (_applying)
            {
                return [.. _listeners.Values.Select(l => l.Listener.LocalEndPoint)];
            }
        }
    }

    /// <summary>Binds every listener, or none: returns the first bind failure as one line.</summary>
    public static ProxyServer? TryStart(ProxyOptions options, ProxyEnvironment environment, out string? error)
    {
        if (options.State.File is { } statePath && UserStateFile.Unusable(statePath) is { } stateProblem)
        {
            error = $"state.file: {stateProblem}";
            return null;
        }

        var logger = environment.Loggers.CreateLogger("Gozar");
        options = Fit(options, environment, logger, running: null);
        var bound = BindAll(options.Listen, options.ProxyProtocol, logger, out error);
        if (bound is null)
        {
            return null;
        }

        var metrics = new GozarMetrics();
        WarnIfAdTagIgnored(options, logger);
        Upstream.Middle.MiddleUpstream? middle = null;
        if (options.Upstream.Mode == UpstreamMode.Middle)
        {
            middle = StartMiddle(options, environment, logger, metrics, out error);
            if (middle is null)
            {
                bound.ForEach(l => l.Listener.Dispose());
                metrics.Dispose();
                return null;
            }
        }

        UserStateStore? state = null;
        SessionContext context;
        if (options.State.File is { } path)
        {
            var file = new UserStateFile(path);
            var saved = UserStateStore.LoadOrFresh(file, logger);
            context = new SessionContext(options, environment, logger, metrics, UserStateStore.SaltOf(saved)) { Middle = middle };
            context.Accounts.Import(saved.Users, context.AddressKeys);
            state = new UserStateStore(
                file, context.Accounts, context.AddressKeys, metrics, logger, environment.Time, options.State.SaveInterval);
        }
        else
        {
            context = new SessionContext(options, environment, logger, metrics) { Middle = middle };
        }

        if (options.Modes.Tls)
        {
            Log.TlsProfileInUse(logger, context.TlsProfile.Source);
        }

        Log.BulkCipher(logger, AesCtr.BulkImplementation);

        var server = new ProxyServer(context, state);
        foreach (var (endpoint, listener) in bound)
        {
            server.StartAccepting(endpoint, listener);
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
    /// Runs <paramref name="options"/> from now on: new listeners are bound first (a failure leaves everything as it
    /// was), users are updated in place (sessions of removed, disabled or re-keyed users end), new connections get the
    /// new settings, removed listeners stop accepting. Sessions of unchanged users keep running.
    /// </summary>
    public ReloadResult Apply(ProxyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        lock (_applying)
        {
            if (_stopping.IsCancellationRequested)
            {
                return ReloadResult.Stopping;
            }

            // Checked as at start: a state file moved where it can never be written would lose usage at every restart.
            if (options.State.File is { } statePath && _state is not null && statePath != _state.Path
                && UserStateFile.Unusable(statePath) is { } stateProblem)
            {
                return ReloadResult.Failure($"state.file: {stateProblem}");
            }

            var current = _context;
            options = Fit(options, current.Environment, current.Logger, current.Options.Limits);
            var upstreamChanged = UpstreamChanged(current.Options.Upstream, options.Upstream);
            Upstream.Middle.MiddleUpstream? middle = null;
            if (upstreamChanged && options.Upstream.Mode == UpstreamMode.Middle)
            {
                middle = StartMiddle(options, current.Environment, current.Logger, current.Metrics, out var middleError);
                if (middle is null)
                {
                    return ReloadResult.Failure(middleError!);
                }
            }

            var added = options.Listen.Where(endpoint => !_listeners.ContainsKey(endpoint)).ToList();
            var bound = BindAll(added, options.ProxyProtocol, current.Logger, out var error);
            if (bound is null)
            {
                middle?.Retire();
                return ReloadResult.Failure(error!);
            }

            var next = upstreamChanged ? current.Next(options, middle) : current.Next(options);
            _context = next;
            if (next.Options.Timeouts.Idle != current.Options.Timeouts.Idle)
            {
                // A shorter idle timeout is swept for as often as it needs, from now on.
                var period = SweepPeriod(next.Options.Timeouts.Idle);
                _sweeper.Change(period, period);
            }

            if (!ReferenceEquals(next.Admission, current.Admission))
            {
                current.Admission.Retire();
            }

            var changes = new List<string>(next.Changes);
            if (upstreamChanged)
            {
                RetireMiddle(current.Middle);
                changes.Add($"upstream {(middle is null ? "direct" : "middle")} for new connections; open sessions keep theirs");
            }
            foreach (var (endpoint, listener) in bound)
            {
                StartAccepting(endpoint, listener);
                changes.Add($"listener {Listener.Format(listener.LocalEndPoint)} added");
            }

            foreach (var endpoint in _listeners.Keys.Where(endpoint => !options.Listen.Contains(endpoint)).ToList())
            {
                _listeners[endpoint].Listener.Dispose();
                _listeners.Remove(endpoint);
                changes.Add($"listener {Listener.Format(endpoint)} removed");
            }

            if (options.State.File is { } path && _state is not null && path != _state.Path)
            {
                _state.MoveTo(new UserStateFile(path));
                changes.Add("state file moved");
            }

            _state?.UseAddressKeys(next.AddressKeys);

            if (changes.Count == 0 && !SettingsComparison.Same(current.Options, options))
            {
                changes.Add("settings for new connections changed");
            }

            return ReloadResult.Success(changes);
        }
    }

    /// <summary>
    /// The limits held to the open files the process has left, with a warning when they had to be lowered (on a reload,
    /// only when that gives other limits than those <paramref name="running"/>).
    /// </summary>
    private static ProxyOptions Fit(ProxyOptions options, ProxyEnvironment environment, ILogger logger, LimitOptions? running)
    {
        if (environment.Descriptors is not { } budget || budget.Fit(options.Limits) is var limits && limits == options.Limits)
        {
            return options;
        }

        if (limits != running)
        {
            Log.DescriptorsTooFew(logger, budget.Limit, limits.MaxConnections, limits.MaxMaskPreconnects, options.Limits.MaxConnections);
        }

        return options with { Limits = limits };
    }

    /// <summary>Whether new sessions need another upstream: the mode changed, or in middle mode what its pool is built from.</summary>
    private static bool UpstreamChanged(UpstreamOptions current, UpstreamOptions next) =>
        current.Mode != next.Mode
        || (next.Mode == UpstreamMode.Middle
            && (!current.Middle.Equals(next.Middle) || current.IpPreference != next.IpPreference || current.ConnectTimeout != next.ConnectTimeout));

    /// <summary>The replaced upstream closes its ME connections once its last session ends, or when the server stops.</summary>
    private void RetireMiddle(Upstream.Middle.MiddleUpstream? middle)
    {
        if (middle is null)
        {
            return;
        }

        _retired.RemoveAll(m => m.Disposed.IsCompleted);
        _retired.Add(middle);
        middle.Retire();
    }

    /// <summary>
    /// Graceful stop: no new connections, running sessions may finish for up to <paramref name="drain"/> (or until
    /// <paramref name="now"/> is cancelled, e.g. by a second signal), then the rest are closed.
    /// </summary>
    public async Task StopAsync(TimeSpan drain, CancellationToken now)
    {
        await StopAcceptingAsync().ConfigureAwait(false);
        using var deadline = new CancellationTokenSource(drain, Context.Time);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, now);
        await Context.Registry.WaitUntilEmptyAsync(either.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        Context.Registry.AbortAll();
        _state?.Save();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAcceptingAsync().ConfigureAwait(false);
        _sweeper.Dispose();
        _enforcer.Dispose();
        _trimmer.Dispose();
        _probeSummary.Dispose();
        Exporter.Dispose();
        Context.Registry.AbortAll();
        if (Context.Middle is { } middle)
        {
            await middle.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var retired in _retired)
        {
            await retired.DisposeAsync().ConfigureAwait(false);
        }

        if (_state is not null)
        {
            _state.Dispose();
            _state.Save();
        }

        Context.Metrics.Dispose();
        _stopping.Dispose();
    }

    private async Task StopAcceptingAsync()
    {
        List<Task> loops;
        lock (_applying)
        {
            _stopping.Cancel();
            loops = [.. _listeners.Values.Select(l => l.AcceptLoop)];
            foreach (var running in _listeners.Values)
            {
                running.Listener.Dispose();
            }
        }

        await Task.WhenAll(loops).ConfigureAwait(false);
    }

    /// <param name="configured">The endpoint as the options name it (port 0 stays 0), so a reload finds it again.</param>
    private void StartAccepting(IPEndPoint configured, Listener listener) =>
        _listeners[configured] = new RunningListener(listener, listener.AcceptLoopAsync(() => Context, _stopping.Token));

    /// <summary>Binds every endpoint, or none (the ones bound are closed again); the first failure as one line.</summary>
    private static List<(IPEndPoint Configured, Listener Listener)>? BindAll(
        IEnumerable<IPEndPoint> endpoints, ProxyProtocolOptions proxyProtocol, ILogger logger, out string? error)
    {
        var listeners = new List<(IPEndPoint Configured, Listener Listener)>();
        foreach (var endpoint in endpoints)
        {
            var listener = Listener.TryBind(endpoint, logger, out error, proxyProtocol.Listeners.Contains(endpoint));
            if (listener is null)
            {
                listeners.ForEach(l => l.Listener.Dispose());
                return null;
            }

            listeners.Add((endpoint, listener));
        }

        error = null;
        return listeners;
    }

    private sealed record RunningListener(Listener Listener, Task AcceptLoop);
}
