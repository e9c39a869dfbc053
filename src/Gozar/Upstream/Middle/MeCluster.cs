using System.Net;
using Gozar.Configuration;
using Gozar.Diagnostics;

namespace Gozar.Upstream.Middle;

/// <summary>
/// The ME connections of one DC cluster (the proxy_for lines of one id). Clients go to the least loaded connection;
/// the first client waits for a connection, later ones top the pool up in the background to connections_per_dc. A
/// lost connection is replaced after a delay that doubles with each failed attempt up to upstream.middle.reconnect_backoff times the first; each attempt walks the cluster's
/// addresses from the one after the last that worked.
/// </summary>
public sealed class MeCluster : IAsyncDisposable
{
    private readonly int _id;
    private readonly MiddleUpstream _owner;
    private readonly MiddleEnvironment _environment;
    private readonly Lock _lock = new();
    private readonly List<MeConnection> _live = [];
    private Task<MeConnection?>? _connecting;
    private ITimer? _retry;
    private int _failures;
    private int _nextAddress;
    private bool _disposed;

    public MeCluster(int id, MiddleUpstream owner, MiddleEnvironment environment)
    {
        _id = id;
        _owner = owner;
        _environment = environment;
    }

    public int Id => _id;

    /// <summary>Open connections now.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _live.Count;
            }
        }
    }

    /// <summary>A connection for a new client, or null when no ME of the cluster could be reached.</summary>
    public async ValueTask<MeConnection?> AcquireAsync(CancellationToken cancellation)
    {
        Task<MeConnection?> pending;
        lock (_lock)
        {
            MeConnection? best = null;
            foreach (var connection in _live)
            {
                if (connection.IsOpen && (best is null || connection.ClientCount < best.ClientCount))
                {
                    best = connection;
                }
            }

            if (best is not null)
            {
                if (_live.Count < _environment.Options.ConnectionsPerDc && _failures == 0)
                {
                    StartConnectLocked(replacement: false);
                }

                return best;
            }

            pending = StartConnectLocked(replacement: false);
        }

        return await pending.WaitAsync(cancellation).ConfigureAwait(false);
    }

    private Task<MeConnection?> StartConnectLocked(bool replacement) => _connecting ??= ConnectAsync(replacement);

    private async Task<MeConnection?> ConnectAsync(bool replacement)
    {
        await Task.Yield();
        MeConnection? opened = null;
        try
        {
            var snapshot = _owner.Files.Current;
            var addresses = _owner.AddressesFor(_id);
            int start;
            lock (_lock)
            {
                start = _nextAddress;
            }

            for (var i = 0; snapshot is not null && i < addresses.Count && opened is null; i++)
            {
                var index = (start + i) % addresses.Count;
                opened = await TryOpenAsync(addresses[index], snapshot).ConfigureAwait(false);
                if (opened is not null)
                {
                    lock (_lock)
                    {
                        _nextAddress = index + 1;
                    }
                }
            }
        }
        finally
        {
            lock (_lock)
            {
                _connecting = null;
                if (opened is not null && !_disposed)
                {
                    _failures = 0;
                    _live.Add(opened);
                }
                else if (opened is null)
                {
                    _failures++;
                    if (replacement || _live.Count > 0)
                    {
                        ScheduleReplacementLocked();
                    }
                }
            }
        }

        if (opened is null)
        {
            return null;
        }

        if (Volatile.Read(ref _disposed))
        {
            await opened.DisposeAsync().ConfigureAwait(false);
            return null;
        }

        _environment.Metrics.MeConnectionOpened(_id, replacement);
        opened.Closed += OnClosed;
        if (!opened.IsOpen)
        {
            OnClosed(opened, "closed during setup");
        }

        Log.MeConnected(_environment.Logger, opened.Address.ToString(), _id, opened.UsesCrc32C);
        return opened;
    }

    private async Task<MeConnection?> TryOpenAsync(IPEndPoint address, MiddleSnapshot snapshot)
    {
        var connected = await _owner.Connector.ConnectAsync([new HostEndpoint(address.Address.ToString(), address.Port)], CancellationToken.None)
            .ConfigureAwait(false);
        if (connected.Socket is null)
        {
            _environment.Metrics.RpcError("connect");
            Log.MeFailed(_environment.Logger, address.ToString(), _id, connected.Failure.ToString());
            return null;
        }

        var (connection, failure) = await MeConnection.OpenAsync(connected.Socket, _id, snapshot, _environment, CancellationToken.None)
            .ConfigureAwait(false);
        if (connection is null)
        {
            _environment.Metrics.RpcError("handshake");
            Log.MeFailed(_environment.Logger, address.ToString(), _id, failure ?? "handshake failed");
        }

        return connection;
    }

    private void OnClosed(MeConnection connection, string reason)
    {
        lock (_lock)
        {
            if (!_live.Remove(connection))
            {
                return;
            }

            if (!_disposed)
            {
                ScheduleReplacementLocked();
            }
        }

        _environment.Metrics.MeConnectionClosed(_id);
        Log.MeLost(_environment.Logger, connection.Address.ToString(), _id, reason);
        _ = connection.DisposeAsync().AsTask();
    }

    private void ScheduleReplacementLocked()
    {
        if (_retry is not null || _disposed)
        {
            return;
        }

        var delay = _environment.Options.ReconnectDelay * BackoffFactor(_failures, _environment.Options.ReconnectBackoff);
        _retry = _environment.Time.CreateTimer(_ => Replace(), null, delay, Timeout.InfiniteTimeSpan);
    }

    /// <summary>1, 2, 4, ... per failure after the first, capped at upstream.middle.reconnect_backoff.</summary>
    internal static int BackoffFactor(int failures, int cap)
    {
        var doublings = Math.Clamp(failures - 1, 0, 30);
        return (int)Math.Min(1L << doublings, cap);
    }

    private void Replace()
    {
        lock (_lock)
        {
            _retry?.Dispose();
            _retry = null;
            if (_disposed || _live.Count >= _environment.Options.ConnectionsPerDc)
            {
                return;
            }

            StartConnectLocked(replacement: true);
        }
    }

    public async ValueTask DisposeAsync()
    {
        MeConnection[] live;
        lock (_lock)
        {
            _disposed = true;
            _retry?.Dispose();
            _retry = null;
            live = [.. _live];
            _live.Clear();
        }

        foreach (var connection in live)
        {
            connection.Closed -= OnClosed;
            await connection.DisposeAsync().ConfigureAwait(false);
            _environment.Metrics.MeConnectionClosed(_id);
        }
    }
}
