using System.Net;
using System.Net.Sockets;
using Gozar.Relay;
using Gozar.Tests.Infrastructure;

namespace Gozar.Tests.Relay;

public sealed class PumpTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly SocketLane _lane = new();

    public PumpTests()
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(8);
    }

    [Fact]
    public async Task Received_EndOfStreamWhileTheOtherDirectionRuns_ShutsTheDestinationsSendingSide()
    {
        var (source, sourcePeer) = await PairAsync();
        var (destination, destinationPeer) = await PairAsync();
        using (source)
        using (sourcePeer)
        using (destination)
        using (destinationPeer)
        {
            var owner = new Owner(otherDirectionEnded: false);
            var pump = new Pump(_lane, source, destination, PassThroughProcessor.Instance, new SessionActivity(TimeProvider.System), 4096, owner);
            pump.Start();

            await sourcePeer.SendAsync("last"u8.ToArray());
            sourcePeer.Shutdown(SocketShutdown.Send);
            var end = await owner.Ended.WaitAsync(Patience);
            var received = new byte[4];
            await destinationPeer.ReceiveExactlyAsync(received);

            Assert.Equal(PumpEnd.EndOfStream, end);
            Assert.Equal("last"u8.ToArray(), received);
            Assert.Equal(0, await destinationPeer.ReceiveAsync(new byte[1]).WaitAsync(Patience));
        }
    }

    [Fact]
    public async Task Received_EndOfStreamAfterTheOtherDirectionEnded_LeavesTheFinToTheOwnersClose()
    {
        var (source, sourcePeer) = await PairAsync();
        var (destination, destinationPeer) = await PairAsync();
        using (source)
        using (sourcePeer)
        using (destinationPeer)
        {
            var owner = new Owner(otherDirectionEnded: true);
            var pump = new Pump(_lane, source, destination, PassThroughProcessor.Instance, new SessionActivity(TimeProvider.System), 4096, owner);
            pump.Start();

            await sourcePeer.SendAsync("last"u8.ToArray());
            sourcePeer.Shutdown(SocketShutdown.Send);
            var end = await owner.Ended.WaitAsync(Patience);
            var received = new byte[4];
            await destinationPeer.ReceiveExactlyAsync(received);
            var finBeforeClose = destinationPeer.Poll(0, SelectMode.SelectRead);
            destination.Dispose();

            Assert.Equal(PumpEnd.EndOfStream, end);
            Assert.Equal("last"u8.ToArray(), received);
            Assert.False(finBeforeClose);
            Assert.Equal(0, await destinationPeer.ReceiveAsync(new byte[1]).WaitAsync(Patience));
        }
    }

    private async Task<(Socket Socket, Socket Peer)> PairAsync()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(_listener.LocalEndPoint!);
        return (socket, await _listener.AcceptAsync());
    }

    public void Dispose()
    {
        _lane.Dispose();
        _listener.Dispose();
    }

    private sealed class Owner(bool otherDirectionEnded) : IPumpOwner
    {
        private readonly TaskCompletionSource<PumpEnd> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<PumpEnd> Ended => _ended.Task;

        public void PumpEnded(Pump pump, PumpEnd end) => _ended.TrySetResult(end);

        public bool OtherDirectionEnded(Pump pump) => otherDirectionEnded;
    }
}
