using System.Net;
using System.Net.Sockets;
using Gozar.Configuration;
using Gozar.Relay;

namespace Gozar.Upstream;

/// <summary>Dials host:port targets in order with a per-attempt timeout, honouring the IPv4/IPv6 preference.</summary>
public sealed class Connector
{
    private readonly TimeSpan _timeout;
    private readonly IpPreference _preference;
    private readonly TimeProvider _time;
    private readonly Func<string, CancellationToken, Task<IPAddress[]>> _resolve;

    // Targets come from the config and the middle proxies' list, a few dozen; the bound only guards against a bug.
    private const int MaxLiterals = 1024;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<HostEndpoint, IPEndPoint[]?> _literals = new();

    // How long a name's addresses are used before it is looked up again (upstream.dns_cache). Looking up per connection
    // adds a DNS round trip to every masked connection's time to first byte, which the real site does not have, and
    // turns a flood of probes into a flood of queries.
    private readonly TimeSpan _nameLifetime;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<HostEndpoint, ResolvedName> _names = new();

    /// <param name="nameLifetime">How long a host name's addresses are reused (upstream.dns_cache); null: its default.</param>
    public Connector(
        TimeSpan timeout, IpPreference preference, TimeProvider time, Func<string, CancellationToken, Task<IPAddress[]>> resolve,
        TimeSpan? nameLifetime = null)
    {
        _nameLifetime = nameLifetime ?? UpstreamOptions.DefaultDnsCache;
        _resolve = resolve;
        _timeout = timeout;
        _preference = preference;
        _time = time;
    }

    /// <summary>Returns a connected socket, or null with the reason when every target failed.</summary>
    /// <param name="lane">Connects through this session lane (see <see cref="SocketLane"/>); null: the socket's own operation.</param>
    public ValueTask<ConnectResult> ConnectAsync(
        IReadOnlyList<HostEndpoint> targets, CancellationToken cancellation, SocketLane? lane = null)
    {
        // One target given as one address (a DC's route as configured, a mask host): the attempt's own task, as a
        // connect that waits (every one to a real DC) would box a second state machine around it.
        return targets.Count == 1 && LiteralEndpoints(targets[0]) is [var only]
            ? TryConnectAsync(only, lane, cancellation)
            : ConnectAnyAsync(targets, cancellation, lane);
    }

    private async ValueTask<ConnectResult> ConnectAnyAsync(IReadOnlyList<HostEndpoint> targets, CancellationToken cancellation, SocketLane? lane)
    {
        var failure = ConnectFailure.Refused;
        // Indexed: a foreach over the interface boxes the list's enumerator.
        for (var i = 0; i < targets.Count; i++)
        {
            var target = targets[i];
            var endpoints = LiteralEndpoints(target) ?? await ResolveAsync(target, cancellation).ConfigureAwait(false);
            if (endpoints is null)
            {
                failure = ConnectFailure.DnsFailed;
                continue;
            }

            foreach (var endpoint in endpoints)
            {
                var attempt = await TryConnectAsync(endpoint, lane, cancellation).ConfigureAwait(false);
                if (attempt.Socket is not null)
                {
                    return attempt;
                }

                failure = attempt.Failure;
            }
        }

        return new ConnectResult(null, failure);
    }

    /// <summary>
    /// The endpoint of a target given as an address (as the one-element list a resolved name would give), parsed once
    /// and shared: a connected socket keeps its endpoint for life, and an idle relayed connection need not hold its own
    /// copy of the DC's address. Null for a host name.
    /// </summary>
    private IPEndPoint[]? LiteralEndpoints(HostEndpoint target)
    {
        if (_literals.TryGetValue(target, out var known))
        {
            return known;
        }

        IPEndPoint[]? endpoints = IPAddress.TryParse(target.Host, out var address) ? [new IPEndPoint(address, target.Port)] : null;
        if (_literals.Count < MaxLiterals)
        {
            _literals.TryAdd(target, endpoints);
        }

        return endpoints;
    }

    /// <summary>
    /// A name's endpoints: the last answer while it is younger than the name lifetime, else a new lookup bounded
    /// by the connect timeout. When that fails or times out, the last answer (however old) rather than none; null when
    /// there is none.
    /// </summary>
    private async ValueTask<IPEndPoint[]?> ResolveAsync(HostEndpoint target, CancellationToken cancellation)
    {
        var now = _time.GetTimestamp();
        _names.TryGetValue(target, out var known);
        if (known is not null && _time.GetElapsedTime(known.At, now) < _nameLifetime)
        {
            return known.Endpoints;
        }

        using var timer = new CancellationTokenSource(_timeout, _time);
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellation, timer.Token);
        try
        {
            var addresses = Order(await _resolve(target.Host, bounded.Token).ConfigureAwait(false));
            var endpoints = Array.ConvertAll(addresses, address => new IPEndPoint(address, target.Port));
            if (endpoints.Length > 0 && (known is not null || _names.Count < MaxLiterals))
            {
                _names[target] = new ResolvedName(endpoints, now);
            }

            return endpoints.Length > 0 ? endpoints : known?.Endpoints;
        }
        catch (SocketException)
        {
            return known?.Endpoints;
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            return known?.Endpoints;
        }
    }

    private sealed record ResolvedName(IPEndPoint[] Endpoints, long At);

    private IPAddress[] Order(IPAddress[] addresses)
    {
        var v4 = Array.FindAll(addresses, a => a.AddressFamily == AddressFamily.InterNetwork);
        var v6 = Array.FindAll(addresses, a => a.AddressFamily == AddressFamily.InterNetworkV6);
        return _preference switch
        {
            IpPreference.OnlyIpv4 => v4,
            IpPreference.OnlyIpv6 => v6,
            IpPreference.PreferIpv6 => [.. v6, .. v4],
            _ => [.. v4, .. v6],
        };
    }

    private ValueTask<ConnectResult> TryConnectAsync(
        IPEndPoint endpoint, SocketLane? lane, CancellationToken cancellation)
    {
        // Not async itself: a connect that waits (every one to a real DC) boxes one state machine, not two.
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        return lane is null
            ? TryConnectOwnAsync(socket, endpoint, cancellation)
            : TryConnectOnLaneAsync(socket, endpoint, lane, cancellation);
    }

    private async ValueTask<ConnectResult> TryConnectOwnAsync(
        Socket socket, IPEndPoint endpoint, CancellationToken cancellation)
    {
        using var timer = new CancellationTokenSource(_timeout, _time);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation, timer.Token);
        try
        {
            await socket.ConnectAsync(endpoint, timeout.Token).ConfigureAwait(false);
            return new ConnectResult(socket, ConnectFailure.None);
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            socket.Dispose();
            return new ConnectResult(null, ConnectFailure.TimedOut);
        }
        catch (SocketException)
        {
            socket.Dispose();
            return new ConnectResult(null, ConnectFailure.Refused);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>A lane's connect cannot be cancelled: the timeout or the caller's cancellation closes the socket instead.</summary>
    private async ValueTask<ConnectResult> TryConnectOnLaneAsync(
        Socket socket, IPEndPoint endpoint, SocketLane lane, CancellationToken cancellation)
    {
        using var timer = new CancellationTokenSource(_timeout, _time);
        var timeout = timer.Token;
        var onTimeout = timeout.UnsafeRegister(CloseSocket, socket);
        var onCancel = cancellation.UnsafeRegister(CloseSocket, socket);
        var failed = false;
        try
        {
            await lane.ConnectAsync(socket, endpoint).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            failed = true;
        }

        // Disposing waits for a callback already running, so the socket's state is settled from here.
        onTimeout.Dispose();
        onCancel.Dispose();
        if (failed || timeout.IsCancellationRequested || cancellation.IsCancellationRequested)
        {
            socket.Dispose();
            cancellation.ThrowIfCancellationRequested();
            return new ConnectResult(null, timeout.IsCancellationRequested ? ConnectFailure.TimedOut : ConnectFailure.Refused);
        }

        return new ConnectResult(socket, ConnectFailure.None);
    }

    private static readonly Action<object?> CloseSocket = static socket => ((Socket)socket!).Dispose();
}

public enum ConnectFailure
{
    None,
    Refused,
    TimedOut,
    DnsFailed,
}

public readonly record struct ConnectResult(Socket? Socket, ConnectFailure Failure);
