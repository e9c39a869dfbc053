using System.Net;
using System.Net.Sockets;
using Gozar.Listening;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gozar.Tests.Listening;

public class ListenerTests
{
    [Fact]
    public async Task EnsureNoDelay_NotInheritedFromTheListeningSocket_SetsItOnEveryClient()
    {
        using var listener = Listener.TryBind(new IPEndPoint(IPAddress.Loopback, 0), NullLogger.Instance, out _)!;
        using var plain = Listening(noDelay: false);

        var first = await AcceptOneAsync(plain);
        var second = await AcceptOneAsync(plain);
        var before = (first.Accepted.NoDelay, second.Accepted.NoDelay);
        listener.EnsureNoDelay(first.Accepted);
        listener.EnsureNoDelay(second.Accepted);

        Assert.Equal((false, false), before);
        Assert.True(first.Accepted.NoDelay);
        Assert.True(second.Accepted.NoDelay);
        Dispose(first, second);
    }

    [Fact]
    public async Task EnsureNoDelay_ListeningSocketHasIt_ClientsHaveIt()
    {
        using var listener = Listener.TryBind(new IPEndPoint(IPAddress.Loopback, 0), NullLogger.Instance, out _)!;
        using var noDelay = Listening(noDelay: true);

        var first = await AcceptOneAsync(noDelay);
        var second = await AcceptOneAsync(noDelay);
        listener.EnsureNoDelay(first.Accepted);
        listener.EnsureNoDelay(second.Accepted);

        Assert.True(first.Accepted.NoDelay);
        Assert.True(second.Accepted.NoDelay);
        Dispose(first, second);
    }

    private static Socket Listening(bool noDelay)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = noDelay };
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        socket.Listen(4);
        return socket;
    }

    private static async Task<(Socket Client, Socket Accepted)> AcceptOneAsync(Socket listening)
    {
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(listening.LocalEndPoint!);
        return (client, await listening.AcceptAsync());
    }

    private static void Dispose(params (Socket Client, Socket Accepted)[] pairs)
    {
        foreach (var (client, accepted) in pairs)
        {
            client.Dispose();
            accepted.Dispose();
        }
    }
}
