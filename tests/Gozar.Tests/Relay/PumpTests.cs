using System.Net.Sockets;
using Gozar.Relay;
using Gozar.Tests.Infrastructure;

namespace Gozar.Tests.Relay;

public sealed class PumpTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly LoopbackListener _listener = new();
    private readonly SocketLane _lane = new();
    private readonly List<Socket> _sockets = [];

    [Fact]
    public async Task Received_EndOfStreamWhileTheOtherDirectionRuns_ShutsTheDestinationsSendingSide()
    {
        var relayed = await RelayLastBytesThenEndAsync(otherDirectionEnded: false);

        Assert.Equal(PumpEnd.EndOfStream, relayed.End);
        Assert.Equal("last"u8.ToArray(), relayed.Received);
        Assert.Equal(0, await relayed.DestinationPeer.ReceiveAsync(new byte[1]).WaitAsync(Patience));
    }

    [Fact]
    public async Task Received_EndOfStreamAfterTheOtherDirectionEnded_LeavesTheFinToTheOwnersClose()
    {
        var relayed = await RelayLastBytesThenEndAsync(otherDirectionEnded: true);
        var finBeforeClose = relayed.DestinationPeer.Poll(0, SelectMode.SelectRead);
        relayed.Destination.Dispose();

        Assert.Equal(PumpEnd.EndOfStream, relayed.End);
        Assert.Equal("last"u8.ToArray(), relayed.Received);
        Assert.False(finBeforeClose);
        Assert.Equal(0, await relayed.DestinationPeer.ReceiveAsync(new byte[1]).WaitAsync(Patience));
    }

    [Fact]
    public async Task Received_ProtocolBrokenAfterValidBytes_SendsThemThenEnds()
    {
        var (source, sourcePeer) = await _listener.ConnectedPairAsync();
        var (destination, destinationPeer) = await _listener.ConnectedPairAsync();
        _sockets.AddRange([source, sourcePeer, destination, destinationPeer]);
        var owner = new Owner(otherDirectionEnded: false);
        new Pump(_lane, source, destination, new BrokenAtMarker(), new SessionActivity(TimeProvider.System), 4096, owner).Start();

        await sourcePeer.SendAsync((byte[])[.. "data"u8, 0xff, .. "bad"u8]);

        Assert.Equal(PumpEnd.ProtocolError, await owner.Ended.WaitAsync(Patience));
        var received = new byte[4];
        await destinationPeer.ReceiveExactlyAsync(received).AsTask().WaitAsync(Patience);
        Assert.Equal("data"u8.ToArray(), received);
    }

    public void Dispose()
    {
        _sockets.ForEach(socket => socket.Dispose());
        _lane.Dispose();
        _listener.Dispose();
    }

    /// <summary>
    /// A pump from one connected pair to another: the source's peer sends "last" and ends its stream; returns once the
    /// pump told its owner it ended and the destination's peer received the bytes.
    /// </summary>
    private async Task<Relayed> RelayLastBytesThenEndAsync(bool otherDirectionEnded)
    {
        var (source, sourcePeer) = await _listener.ConnectedPairAsync();
        var (destination, destinationPeer) = await _listener.ConnectedPairAsync();
        _sockets.AddRange([source, sourcePeer, destination, destinationPeer]);
        var owner = new Owner(otherDirectionEnded);
        new Pump(_lane, source, destination, PassThroughProcessor.Instance, new SessionActivity(TimeProvider.System), 4096, owner).Start();

        await sourcePeer.SendAsync("last"u8.ToArray());
        sourcePeer.Shutdown(SocketShutdown.Send);
        var end = await owner.Ended.WaitAsync(Patience);
        var received = new byte[4];
        await destinationPeer.ReceiveExactlyAsync(received);
        return new Relayed(end, received, destination, destinationPeer);
    }

    /// <summary>Passes on the bytes before a 0xff and says the protocol broke there.</summary>
    private sealed class BrokenAtMarker : ChunkProcessor
    {
        public override bool Process(Span<byte> buffer, int received, out int sendStart, out int sendLength)
        {
            var marker = buffer[..received].IndexOf((byte)0xff);
            sendStart = 0;
            sendLength = marker < 0 ? received : marker;
            return marker < 0;
        }
    }

    private sealed record Relayed(PumpEnd End, byte[] Received, Socket Destination, Socket DestinationPeer);

    private sealed class Owner(bool otherDirectionEnded) : IPumpOwner
    {
        private readonly TaskCompletionSource<PumpEnd> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<PumpEnd> Ended => _ended.Task;

        public void PumpEnded(Pump pump, PumpEnd end) => _ended.TrySetResult(end);

        public bool OtherDirectionEnded(Pump pump) => otherDirectionEnded;
    }
}
