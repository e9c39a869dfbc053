using System.Net;
using System.Net.Sockets;

namespace Gozar.Tests.Infrastructure;

/// <summary>A listening socket on 127.0.0.1 and an ephemeral port, for tests that need connected socket pairs.</summary>
public sealed class LoopbackListener : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

    /// <param name="noDelay">TCP_NODELAY on the listening socket (Linux hands it on to accepted sockets).</param>
    public LoopbackListener(bool noDelay = false)
    {
        _socket.NoDelay = noDelay;
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _socket.Listen(8);
        EndPoint = (IPEndPoint)_socket.LocalEndPoint!;
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>A client socket connected here, and the socket this listener accepted for it.</summary>
    public async Task<(Socket Socket, Socket Peer)> ConnectedPairAsync()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(EndPoint);
        return (socket, await _socket.AcceptAsync());
    }

    /// <summary>The next connection made to <see cref="EndPoint"/> by other means (a lane's connect, say).</summary>
    public Task<Socket> AcceptAsync() => _socket.AcceptAsync();

    public void Dispose() => _socket.Dispose();
}
