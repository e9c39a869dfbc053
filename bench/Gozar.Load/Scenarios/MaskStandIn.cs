using System.Net;
using System.Net.Sockets;

namespace Gozar.Load.Scenarios;

/// <summary>
/// The mask site of a soak, on loopback: what a web server does to a stranger, in miniature. The first bytes it gets
/// are answered at once (a TLS alert to anything that starts like a TLS record, else an HTTP 400) and the connection
/// is closed; a connection that sends nothing for <see cref="IdleClose"/> is closed silently, as a server's header
/// timer would. A prober can then tell from the reply that the proxy handed it to the mask.
/// </summary>
public sealed class MaskStandIn : IAsyncDisposable
{
    /// <summary>
    /// How long a silent connection stays open: as long as the proxy's handshake timeout, shorter than a real site's
    /// (nginx: 60 s) so that silent probes end well inside a soak. With 2 s, on a machine at load average 40, the
    /// mask sometimes closed a preconnect before the starved proxy had read a client's first bytes, and the proxy
    /// then (by design) handed even legitimate clients to the closed mask.
    /// </summary>
    public static readonly TimeSpan IdleClose = TimeSpan.FromSeconds(10);

    private const int Backlog = 1024;
    private const byte TlsHandshakeRecord = 0x16;

    private static readonly byte[] HttpReply =
        "HTTP/1.1 400 Bad Request\r\nServer: mask\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray();

    // A fatal handshake_failure alert (RFC 8446 §6): what a TLS server says to a hello it cannot use.
    private static readonly byte[] TlsAlert = [0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28];

    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private long _accepted;
    private long _answered;
    private long _timedOut;
    private long _closedByPeer;
    private long _reset;

    public MaskStandIn(int port)
    {
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, port));
        _listener.Listen(Backlog);
        _accepting = AcceptAsync();
    }

    public long Accepted => Interlocked.Read(ref _accepted);

    /// <summary>Connections that sent bytes and got the reply.</summary>
    public long Answered => Interlocked.Read(ref _answered);

    /// <summary>Connections closed by the idle timer.</summary>
    public long TimedOut => Interlocked.Read(ref _timedOut);

    /// <summary>Connections the other side closed before sending anything (preconnects the proxy no longer needed).</summary>
    public long ClosedByPeer => Interlocked.Read(ref _closedByPeer);

    /// <summary>Connections that ended in a socket error, such as a reset from the proxy dropping an unused preconnect.</summary>
    public long Reset => Interlocked.Read(ref _reset);

    /// <summary>What the mask answers to a connection whose first byte is <paramref name="first"/>.</summary>
    public static ReadOnlySpan<byte> ReplyFor(byte first) => first == TlsHandshakeRecord ? TlsAlert : HttpReply;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        try
        {
            await _accepting.ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (SocketException) when (!_stop.IsCancellationRequested)
            {
                continue;
            }

            Interlocked.Increment(ref _accepted);
            _ = ServeAsync(socket);
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using var idle = new CancellationTokenSource(IdleClose);
        var buffer = new byte[4096];
        var answered = false;
        try
        {
            var received = await socket.ReceiveAsync(buffer, SocketFlags.None, idle.Token).ConfigureAwait(false);
            if (received == 0)
            {
                Interlocked.Increment(ref _closedByPeer);
                return;
            }

            await socket.SendAsync(ReplyFor(buffer[0]).ToArray(), SocketFlags.None, idle.Token).ConfigureAwait(false);
            Interlocked.Increment(ref _answered);
            answered = true;
            socket.Shutdown(SocketShutdown.Send);

            // The rest of what the client sent is read and dropped, so that closing does not reset the connection.
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, idle.Token).ConfigureAwait(false) > 0)
            {
            }
        }
        catch (OperationCanceledException) when (!answered)
        {
            Interlocked.Increment(ref _timedOut);
        }
        catch (OperationCanceledException)
        {
        }
        catch (SocketException)
        {
            Interlocked.Increment(ref _reset);
        }
        finally
        {
            socket.Dispose();
        }
    }
}
