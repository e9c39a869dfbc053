using System.Net;
using System.Net.Sockets;
using Gozar.Listening;
using Gozar.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gozar.Tests.Listening;

public class ListenerTests
{
    [Fact]
    public async Task EnsureNoDelay_NotInheritedFromTheListeningSocket_SetsItOnEveryClient()
    {
        using var listening = new LoopbackListener(noDelay: false);
        var clients = await TwoClientsAsync(listening);
        var before = Array.ConvertAll(clients, client => client.Peer.NoDelay);

        var after = EnsureNoDelay(clients);

        Assert.Equal([false, false], before);
        Assert.Equal([true, true], after);
    }

    [Fact]
    public async Task EnsureNoDelay_InheritedFromTheListeningSocket_ClientsKeepIt()
    {
        // What Listener.TryBind relies on: the accepted sockets already have it, so nothing needs setting.
        using var listening = new LoopbackListener(noDelay: true);
        var clients = await TwoClientsAsync(listening);
        var before = Array.ConvertAll(clients, client => client.Peer.NoDelay);

        var after = EnsureNoDelay(clients);

        Assert.Equal([true, true], before);
        Assert.Equal([true, true], after);
    }

    private static async Task<(Socket Socket, Socket Peer)[]> TwoClientsAsync(LoopbackListener listening) =>
        [await listening.ConnectedPairAsync(), await listening.ConnectedPairAsync()];

    /// <summary>One Listener sees the accepted sockets in turn; returns their TCP_NODELAY after it, and closes them.</summary>
    private static bool[] EnsureNoDelay((Socket Socket, Socket Peer)[] clients)
    {
        using var listener = Listener.TryBind(new IPEndPoint(IPAddress.Loopback, 0), NullLogger.Instance, out _)!;
        var noDelay = new bool[clients.Length];
        for (var i = 0; i < clients.Length; i++)
        {
            listener.EnsureNoDelay(clients[i].Peer);
            noDelay[i] = clients[i].Peer.NoDelay;
            clients[i].Socket.Dispose();
            clients[i].Peer.Dispose();
        }

        return noDelay;
    }
}
