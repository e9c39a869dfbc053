using System.Net;
using System.Net.Sockets;
using Gozar.Relay;
using Gozar.Tests.Infrastructure;

namespace Gozar.Tests.Relay;

public sealed class SocketLaneTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly LoopbackListener _listener = new();
    private readonly SocketLane _lane = new();

    [Fact]
    public async Task ConnectSendWait_OneLaneForEverything_BytesArriveBothWays()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await _lane.ConnectAsync(socket, _listener.EndPoint).AsTask().WaitAsync(Patience);
        using var peer = await _listener.AcceptAsync();

        var sent = await _lane.SendAsync(socket, "hello"u8.ToArray());
        var echoed = new byte[5];
        await peer.ReceiveExactlyAsync(echoed);
        await peer.SendAsync(echoed);
        await _lane.WaitReadableAsync(socket).AsTask().WaitAsync(Patience);
        var buffer = new byte[16];
        var received = socket.Receive(buffer);

        Assert.Equal(5, sent);
        Assert.Equal("hello"u8.ToArray(), buffer.AsSpan(0, received).ToArray());
    }

    [Fact]
    public async Task ConnectAsync_NothingListens_ThrowsConnectionRefused()
    {
        var port = _listener.EndPoint.Port;
        _listener.Dispose();
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

        var error = await Assert.ThrowsAsync<SocketException>(() => _lane.ConnectAsync(socket, new IPEndPoint(IPAddress.Loopback, port)).AsTask());

        Assert.Equal(SocketError.ConnectionRefused, error.SocketErrorCode);
    }

    [Fact]
    public async Task WaitReadableAsync_Cancelled_EndsTheAwaitAndTheNextWaitTakesOverThePendingReceive()
    {
        var (socket, peer) = await _listener.ConnectedPairAsync();
        using (socket)
        using (peer)
        {
            using var cancel = new CancellationTokenSource();
            var waiting = _lane.WaitReadableAsync(socket, cancel.Token).AsTask();
            await cancel.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Patience));

            // The zero-byte receive is still pending on the socket: anything but a wait on the lane is refused.
            Assert.Throws<InvalidOperationException>(() => _lane.StartSend(socket, new byte[1]));
            var next = _lane.WaitReadableAsync(socket).AsTask();
            Assert.False(next.IsCompleted);
            await peer.SendAsync(new byte[] { 42 });
            await next.WaitAsync(Patience);

            var buffer = new byte[4];
            Assert.Equal(1, socket.Receive(buffer));
            Assert.Equal(42, buffer[0]);
        }
    }

    [Fact]
    public async Task WaitReadableAsync_TakingOverACancelledWait_TellsTheHookAndHonoursItsToken()
    {
        var (socket, peer) = await _listener.ConnectedPairAsync();
        using (socket)
        using (peer)
        {
            using var first = new CancellationTokenSource();
            var waiting = _lane.WaitReadableAsync(socket, first.Token).AsTask();
            await first.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Patience));

            using var hooked = new CancellationTokenSource();
            var hook = new CountingWaitHook(hooked.Token);
            var next = _lane.WaitReadableAsync(socket, CancellationToken.None, hook).AsTask();
            Assert.Equal(1, hook.Calls);
            await hooked.CancelAsync();

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => next.WaitAsync(Patience));
        }
    }

    [Fact]
    public async Task WaitReadableAsync_Readable_CompletesWithoutTellingTheHook()
    {
        var (socket, peer) = await _listener.ConnectedPairAsync();
        using (socket)
        using (peer)
        {
            await peer.SendAsync(new byte[] { 42 });
            Assert.True(socket.Poll(Patience, SelectMode.SelectRead));
            var hook = new CountingWaitHook(CancellationToken.None);

            var wait = _lane.WaitReadableAsync(socket, CancellationToken.None, hook);

            Assert.True(wait.IsCompleted);
            Assert.Equal(0, hook.Calls);
            await wait;
        }
    }

    [Fact]
    public async Task WaitReadableAsync_SocketClosedWhilePending_ThrowsOperationAborted()
    {
        var (socket, peer) = await _listener.ConnectedPairAsync();
        using (peer)
        {
            var receiving = _lane.WaitReadableAsync(socket).AsTask();
            socket.Dispose();

            var error = await Assert.ThrowsAsync<SocketException>(() => receiving.WaitAsync(Patience));
            Assert.Equal(SocketError.OperationAborted, error.SocketErrorCode);
        }
    }

    public void Dispose()
    {
        _lane.Dispose();
        _listener.Dispose();
    }
}
