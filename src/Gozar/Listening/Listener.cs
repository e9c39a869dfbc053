using System.Net;
using System.Net.Sockets;
using Gozar.Diagnostics;
using Gozar.Sessions;
using Microsoft.Extensions.Logging;

namespace Gozar.Listening;

/// <summary>One bound endpoint and its accept loop. Binding is separate from accepting so that a bad endpoint fails before anything runs.</summary>
public sealed class Listener : IDisposable
{
    private const int Backlog = 1024;

    private readonly Socket _socket;
    private readonly ILogger _logger;
    private bool _noDelayChecked;
    private bool _noDelayInherited;

    private Listener(Socket socket, ILogger logger)
    {
        _socket = socket;
        _logger = logger;
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
    }

    public IPEndPoint LocalEndPoint { get; }

    /// <summary>A [proxy_protocol] listener: trusted sources send a PROXY header first, anyone else is masked.</summary>
    public bool ExpectsProxyHeader { get; private init; }

    /// <summary>Binds and listens; a failure (port in use, address not local) is returned as a message.</summary>
    public static Listener? TryBind(IPEndPoint endpoint, ILogger logger, out string? error, bool expectsProxyHeader = false)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (endpoint.AddressFamily == AddressFamily.InterNetworkV6)
            {
                // "[::]:p" next to "0.0.0.0:p" must not claim the IPv4 port too.
                socket.DualMode = false;
            }

            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);

            // Linux hands TCP_NODELAY on to accepted sockets, which saves a system call per client (EnsureNoDelay).
            socket.NoDelay = true;
            socket.Bind(endpoint);
            socket.Listen(Backlog);
            error = null;
            return new Listener(socket, logger) { ExpectsProxyHeader = expectsProxyHeader };
        }
        catch (SocketException e)
        {
            socket.Dispose();
            error = e.SocketErrorCode switch
            {
                SocketError.AddressAlreadyInUse => $"listen: {Format(endpoint)} is already in use",
                SocketError.AddressNotAvailable => $"listen: {Format(endpoint)} is not an address of this machine",
                SocketError.AccessDenied => $"listen: no permission to bind {Format(endpoint)} (ports below 1024 need root or CAP_NET_BIND_SERVICE)",
                _ => $"listen: cannot bind {Format(endpoint)}: {e.Message}",
            };
            return null;
        }
    }

    public static string Format(IPEndPoint endpoint) =>
        endpoint.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{endpoint.Address}]:{endpoint.Port}" : endpoint.ToString();

    public async Task AcceptLoopAsync(Func<SessionContext> context, CancellationToken stopping)
    {
        Log.Listening(_logger, Format(LocalEndPoint));

        // Stopping, or a reload replacing the bounds this loop waits on: at the old max_connections, a raised limit must
        // let clients in at once, not after an old session ends. One linked source per set of bounds, not per client.
        Admission? waitingOn = null;
        CancellationTokenSource? wakeUp = null;

        // Accepted, but another listener took the last slot meanwhile (or a reload lowered the limits): it waits here for
        // room, without a session yet, so each listener holds at most one client the limits do not cover.
        Socket? waiting = null;
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                var admission = context().Admission;
                if (!ReferenceEquals(admission, waitingOn))
                {
                    wakeUp?.Dispose();
                    wakeUp = CancellationTokenSource.CreateLinkedTokenSource(stopping, admission.Retired);
                    waitingOn = admission;
                }

                // Room first, then the client: at either limit the listener stops accepting, and clients wait in the
                // kernel's backlog.
                try
                {
                    await admission.WaitForRoomAsync(wakeUp!.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    continue;
                }

                if (waiting is null)
                {
                    // Accepted in this loop's own state machine: an async helper would box one more per client.
                    try
                    {
                        waiting = await _socket.AcceptAsync(stopping).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
                    {
                        if (e is not SocketException socketError)
                        {
                            break;
                        }

                        if (!IsTransient(socketError.SocketErrorCode))
                        {
                            // Out of descriptors, this fails at every retry until clients leave: one line per interval.
                            var code = socketError.SocketErrorCode;
                            if (context().RepeatedLines.TryPass(Log.AcceptFailedEvent, HashCode.Combine(LocalEndPoint, code), out var held))
                            {
                                Log.AcceptFailed(_logger, Format(LocalEndPoint), AcceptFailure(socketError), held);
                            }

                            await Task.Delay(TimeSpan.FromMilliseconds(100), stopping).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                        }

                        continue;
                    }
                }

                // The configuration of the moment the client came: a reload while this loop waited in AcceptAsync (new
                // limits, a user added through the admin API who connects at once) reaches it.
                var session = context();
                if (!session.Admission.TryEnter())
                {
                    continue;
                }

                var client = waiting;
                waiting = null;
                Admit(client, session, stopping);
            }
        }
        finally
        {
            waiting?.Dispose();
            wakeUp?.Dispose();
        }

        Log.StoppedListening(_logger, Format(LocalEndPoint));
    }

    /// <summary>Starts the session of a client that holds one connection slot and one handshake slot of the session's bounds.</summary>
    private void Admit(Socket client, SessionContext session, CancellationToken stopping)
    {
        var admission = session.Admission;
        var source = RemoteAddress(client);
        var proxyHeader = !ExpectsProxyHeader ? ProxyHeaderRule.None
            : session.Options.ProxyProtocol.Trusts(source) ? ProxyHeaderRule.Read
            : ProxyHeaderRule.Untrusted;

        // A load balancer's own address says nothing about the client: the session rates the one its header names.
        var overRate = proxyHeader != ProxyHeaderRule.Read && !admission.AllowsNewConnectionFrom(source);
        if (overRate && session.Options.Limits.OverRate == Configuration.OverRateAction.Close)
        {
            session.Metrics.Handshake(HandshakeVerdict.RateLimited);
            client.Dispose();
            admission.HandshakeEnded();
            admission.ConnectionEnded();
            return;
        }

        EnsureNoDelay(client);
        _ = new ClientSession(client, session, overRate, proxyHeader).RunAsync(stopping);
    }

    /// <summary>
    /// Small replies go out at once. The first client shows whether the listener's TCP_NODELAY was inherited; where it
    /// was not, every client gets it set.
    /// </summary>
    internal void EnsureNoDelay(Socket client)
    {
        if (_noDelayInherited)
        {
            return;
        }

        try
        {
            if (!_noDelayChecked)
            {
                _noDelayChecked = true;
                _noDelayInherited = client.NoDelay;
                if (_noDelayInherited)
                {
                    return;
                }
            }

            client.NoDelay = true;
        }
        catch (SocketException)
        {
            // Gone already: the session finds out on its first read.
        }
    }

    private static IPAddress? RemoteAddress(Socket client)
    {
        try
        {
            return (client.RemoteEndPoint as IPEndPoint)?.Address;
        }
        catch (SocketException)
        {
            return null;
        }
    }

    private static string AcceptFailure(SocketException e) => e.SocketErrorCode == SocketError.TooManyOpenSockets
        ? "the open-file limit is reached (ulimit -n; see limits.max_connections); clients wait in the backlog"
        : e.Message;

    private static bool IsTransient(SocketError error) =>
        error is SocketError.ConnectionAborted or SocketError.ConnectionReset or SocketError.Interrupted;

    public void Dispose() => _socket.Dispose();
}
