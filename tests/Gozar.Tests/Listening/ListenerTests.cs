using System.Net;
using System.Net.Sockets;
using Gozar.Configuration;
using Gozar.Listening;
using Gozar.Protocol.Framing;
using Gozar.SelfTest;
using Gozar.Tests.Infrastructure;
using Gozar.Tests.Users;
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

    [Fact]
    public async Task AcceptLoopAsync_TwoListenersAndMaxHandshakesOne_ServesClientsOfEither()
    {
        await using var dc = new EchoDc();
        await using var proxy = StartTwoListeners(dc, new LimitOptions { MaxHandshakes = 1, PerIpRate = 0 });

        await using var second = await Client.ConnectAsync(proxy.Endpoints[1], TestProxy.AliceKey, ProtocolTag.Intermediate, 2);
        await UserLimitServerTests.EchoAsync(second);
        await using var first = await Client.ConnectAsync(proxy.Endpoints[0], TestProxy.BobKey, ProtocolTag.Intermediate, 2);
        await UserLimitServerTests.EchoAsync(first);
    }

    [Fact]
    public async Task AcceptLoopAsync_TwoListenersAndMaxConnectionsTwo_ServesTwoClientsOfOne()
    {
        await using var dc = new EchoDc();
        await using var proxy = StartTwoListeners(dc, new LimitOptions { MaxConnections = 2, PerIpRate = 0 });

        await using var alice = await Client.ConnectAsync(proxy.Endpoints[1], TestProxy.AliceKey, ProtocolTag.Intermediate, 2);
        await UserLimitServerTests.EchoAsync(alice);
        await using var bob = await Client.ConnectAsync(proxy.Endpoints[1], TestProxy.BobKey, ProtocolTag.Intermediate, 2);
        await UserLimitServerTests.EchoAsync(bob);
    }

    [Fact]
    public async Task AcceptLoopAsync_IdleListeners_HoldNoSlot()
    {
        await using var dc = new EchoDc();
        await using var proxy = StartTwoListeners(dc, new LimitOptions { PerIpRate = 0 });

        // A client through each listener: both loops have been round once and wait for the next.
        foreach (var endpoint in proxy.Endpoints)
        {
            await using var client = await Client.ConnectAsync(endpoint, TestProxy.AliceKey, ProtocolTag.Intermediate, 2);
            await UserLimitServerTests.EchoAsync(client);
        }

        await UserLimitServerTests.WaitForAsync(() => proxy.Context.Registry.Count == 0);
        Assert.Equal(0, proxy.Context.Admission.OpenConnections);
        Assert.Equal(0, proxy.Context.Admission.Handshaking);
    }

    [Fact]
    public async Task AcceptLoopAsync_LastSlotTakenWhileAccepting_ClientWaitsForTheNextSlot()
    {
        await using var dc = new EchoDc();
        await using var proxy = TestProxy.Start(TestProxy.Options(dc) with { Limits = new LimitOptions { MaxConnections = 2, PerIpRate = 0 } });
        await using var alice = await Client.ConnectAsync(proxy.EndPoint, TestProxy.AliceKey, ProtocolTag.Intermediate, 2);
        await UserLimitServerTests.EchoAsync(alice);

        // What another listener does between this one's wait for room and its accept.
        var admission = proxy.Context.Admission;
        Assert.True(admission.TryEnter());
        var bob = await Client.ConnectAsync(proxy.EndPoint, TestProxy.BobKey, ProtocolTag.Intermediate, 2);
        var served = UserLimitServerTests.EchoAsync(bob);
        Assert.False(served.IsCompleted);
        Assert.Equal(1, proxy.Context.Registry.Count);

        admission.HandshakeEnded();
        admission.ConnectionEnded();
        await served;
        await bob.DisposeAsync();
        await alice.DisposeAsync();
        await UserLimitServerTests.WaitForAsync(() => proxy.Context.Registry.Count == 0);
        Assert.Equal(0, admission.OpenConnections);
        Assert.Equal(0, admission.Handshaking);
    }

    [Fact]
    public async Task AcceptLoopAsync_StoppedWhileAClientWaitsForASlot_ClosesItAndTakesNoSlot()
    {
        await using var dc = new EchoDc();
        var proxy = TestProxy.Start(TestProxy.Options(dc) with { Limits = new LimitOptions { MaxConnections = 2, PerIpRate = 0 } });
        await using var alice = await Client.ConnectAsync(proxy.EndPoint, TestProxy.AliceKey, ProtocolTag.Intermediate, 2);
        await UserLimitServerTests.EchoAsync(alice);
        var admission = proxy.Context.Admission;
        Assert.True(admission.TryEnter());
        await using var bob = await Client.ConnectAsync(proxy.EndPoint, TestProxy.BobKey, ProtocolTag.Intermediate, 2);

        await proxy.DisposeAsync();

        Assert.Empty(await bob.Socket.ReadToEndAsync());
        await UserLimitServerTests.WaitForAsync(() => admission.OpenConnections == 1);
        Assert.Equal(1, admission.Handshaking);
    }

    private static TestProxy StartTwoListeners(EchoDc dc, LimitOptions limits) =>
        TestProxy.Start(TestProxy.Options(dc) with
        {
            Listen = [new IPEndPoint(IPAddress.Loopback, 0), new IPEndPoint(IPAddress.IPv6Loopback, 0)],
            Limits = limits,
        });

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
