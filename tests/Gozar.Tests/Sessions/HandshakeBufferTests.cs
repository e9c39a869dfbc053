using System.Buffers;
using System.Net.Sockets;
using Gozar.Relay;
using Gozar.Sessions;
using Gozar.Tests.Infrastructure;

namespace Gozar.Tests.Sessions;

public sealed class HandshakeBufferTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private const int Capacity = 40 * 1024;

    private readonly LoopbackListener _listener = new();
    private readonly SocketLane _lane = new();
    private readonly List<IDisposable> _owned = [];

    [Fact]
    public async Task FillAsync_WaitFirstAndTheBytesAlreadyThere_TakesThemWithoutWaitingForMore()
    {
        var (socket, peer, buffer) = await HelloReadAsync();
        await peer.SendAsync(" world"u8.ToArray());
        Assert.True(socket.Poll(Patience, SelectMode.SelectRead));

        var filled = await buffer.FillAsync(buffer.Count + 1, CancellationToken.None, waitFirst: true).AsTask().WaitAsync(Patience);

        Assert.True(filled);
        Assert.Equal("hello world"u8.ToArray(), buffer.Data.ToArray());
    }

    [Fact]
    public async Task FillAsync_WaitFirstBeforeTheBytesArrive_CompletesWhenTheySend()
    {
        var (_, peer, buffer) = await HelloReadAsync();

        var filling = buffer.FillAsync(buffer.Count + 1, CancellationToken.None, waitFirst: true).AsTask();
        Assert.False(filling.IsCompleted);
        await peer.SendAsync("!"u8.ToArray());

        Assert.True(await filling.WaitAsync(Patience));
        Assert.Equal("hello!"u8.ToArray(), buffer.Data.ToArray());
    }

    [Fact]
    public async Task FillAsync_WaitFirstAndThePeerCloses_ReturnsFalseAtEndOfStream()
    {
        var (_, peer, buffer) = await HelloReadAsync();

        var filling = buffer.FillAsync(buffer.Count + 1, CancellationToken.None, waitFirst: true).AsTask();
        peer.Shutdown(SocketShutdown.Send);

        Assert.False(await filling.WaitAsync(Patience));
        Assert.True(buffer.EndOfStream);
        Assert.Equal(5, buffer.Count);
    }

    [Fact]
    public async Task FillAsync_WaitFirstCancelled_ThrowsAndKeepsWhatWasRead()
    {
        var (_, _, buffer) = await HelloReadAsync();
        using var cancel = new CancellationTokenSource();

        var filling = buffer.FillAsync(buffer.Count + 1, cancel.Token, waitFirst: true).AsTask();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => filling.WaitAsync(Patience));
        Assert.Equal("hello"u8.ToArray(), buffer.Data.ToArray());
    }

    [Fact]
    public async Task FillAsync_BytesThereBeforeTheFirstRead_NeverTellsTheWaitHook()
    {
        var (socket, peer) = await _listener.ConnectedPairAsync();
        var buffer = Own(new HandshakeBuffer(socket, _lane, Capacity, ArrayPool<byte>.Shared));
        var hook = new CountingWaitHook(CancellationToken.None);
        buffer.WaitHook = hook;
        _owned.AddRange([socket, peer]);
        await peer.SendAsync("hello"u8.ToArray());
        Assert.True(socket.Poll(Patience, SelectMode.SelectRead));

        Assert.True(await buffer.FillAsync(5, CancellationToken.None).AsTask().WaitAsync(Patience));

        Assert.Equal(0, hook.Calls);
    }

    [Fact]
    public async Task FillAsync_BytesThereBeforeTheFirstRead_ReadsThemWithoutAWait()
    {
        var (socket, peer) = await _listener.ConnectedPairAsync();
        var buffer = Own(new HandshakeBuffer(socket, _lane, Capacity, ArrayPool<byte>.Shared));
        _owned.AddRange([socket, peer]);
        await peer.SendAsync("hello"u8.ToArray());
        Assert.True(socket.Poll(Patience, SelectMode.SelectRead));

        var filling = buffer.FillAsync(5, CancellationToken.None);

        Assert.True(filling.IsCompletedSuccessfully);
        Assert.True(await filling);
        Assert.Equal(SocketAsyncOperation.None, _lane.LastOperation);
    }

    [Fact]
    public async Task FillAsync_ClientSaysNothing_HoldsNoBufferWhileItWaits()
    {
        var (socket, peer) = await _listener.ConnectedPairAsync();
        var pool = new CountingArrayPool();
        var buffer = Own(new HandshakeBuffer(socket, _lane, Capacity, pool));
        _owned.AddRange([socket, peer]);

        var filling = buffer.FillAsync(5, CancellationToken.None).AsTask();

        Assert.False(filling.IsCompleted);
        Assert.Equal(0, pool.Outstanding);
        await peer.SendAsync("hello"u8.ToArray());
        Assert.True(await filling.WaitAsync(Patience));
        Assert.Equal(1, pool.Outstanding);
        Assert.Equal("hello"u8.ToArray(), buffer.Data.ToArray());
    }

    [Fact]
    public async Task FillAsync_NothingThereYet_TellsTheWaitHookOnceAndEndsWhenItsTokenIsCancelled()
    {
        var (socket, peer) = await _listener.ConnectedPairAsync();
        var buffer = Own(new HandshakeBuffer(socket, _lane, Capacity, ArrayPool<byte>.Shared));
        using var hookCancel = new CancellationTokenSource();
        var hook = new CountingWaitHook(hookCancel.Token);
        buffer.WaitHook = hook;
        _owned.AddRange([socket, peer]);

        var filling = buffer.FillAsync(5, CancellationToken.None).AsTask();
        Assert.Equal(1, hook.Calls);
        await hookCancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => filling.WaitAsync(Patience));
        Assert.Equal(1, hook.Calls);
    }

    [Fact]
    public async Task FillAsync_HookTokenCancelledAfterTheWaitEndedButBeforeTheRead_Throws()
    {
        var (socket, peer) = await _listener.ConnectedPairAsync();
        using var hookCancel = new CancellationTokenSource();
        var pool = new GatedArrayPool();
        var hook = new CountingWaitHook(hookCancel.Token);
        var buffer = Own(new HandshakeBuffer(socket, _lane, Capacity, pool) { WaitHook = hook });
        _owned.AddRange([socket, peer]);

        var filling = buffer.FillAsync(5, CancellationToken.None).AsTask();
        Assert.Equal(1, hook.Calls);
        pool.ArmNextRent();
        await peer.SendAsync("hello"u8.ToArray());
        await pool.Entered.WaitAsync(Patience);
        await hookCancel.CancelAsync();
        pool.Release();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => filling.WaitAsync(Patience));
        Assert.Equal(0, buffer.Count);
    }

    /// <summary>A connected pair whose peer sent "hello", already read into a fresh buffer.</summary>
    private async Task<(Socket Socket, Socket Peer, HandshakeBuffer Buffer)> HelloReadAsync()
    {
        var (socket, peer) = await _listener.ConnectedPairAsync();
        var buffer = new HandshakeBuffer(socket, _lane, Capacity, ArrayPool<byte>.Shared);
        _owned.AddRange([buffer, socket, peer]);
        await peer.SendAsync("hello"u8.ToArray());
        Assert.True(await buffer.FillAsync(5, CancellationToken.None).AsTask().WaitAsync(Patience));
        return (socket, peer, buffer);
    }

    private HandshakeBuffer Own(HandshakeBuffer buffer)
    {
        _owned.Add(buffer);
        return buffer;
    }

    public void Dispose()
    {
        _owned.ForEach(d => d.Dispose());
        _lane.Dispose();
        _listener.Dispose();
    }
}

