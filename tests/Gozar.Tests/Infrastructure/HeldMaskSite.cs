using System.Net;
using System.Net.Sockets;

namespace Gozar.Tests.Infrastructure;

/// <summary>
/// A mask site stand-in whose first connection (a session's preconnect) is held open until the test closes it, as a
/// site's idle timer would; every later connection is served like <see cref="FakeMaskSite"/>: the first bytes it gets
/// are answered with <see cref="FakeMaskSite.Response"/>, then it closes.
/// </summary>
public sealed class HeldMaskSite : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource<Socket> _first = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<Task> _served = [];
    private readonly Task _acceptLoop;

    public HeldMaskSite()
    {
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(16);
        EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        _acceptLoop = AcceptAsync();
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>The first connection, once accepted.</summary>
    public Task<Socket> FirstAccepted => _first.Task;

    /// <summary>Connections accepted after the first.</summary>
    public int LaterConnections
    {
        get
        {
            lock (_served)
            {
                return _served.Count;
            }
        }
    }

    /// <summary>Closes the first connection, as the site's idle timer would have.</summary>
    public async Task CloseFirstAsync() => (await FirstAccepted).Dispose();

    private async Task AcceptAsync()
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }

            if (!_first.TrySetResult(socket))
            {
                lock (_served)
                {
                    _served.Add(ServeAsync(socket));
                }
            }
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using (socket)
        {
            try
            {
                if (await socket.ReceiveAsync(new byte[4096], _stop.Token) > 0)
                {
                    await socket.SendAsync(FakeMaskSite.Response, _stop.Token);
                }

                socket.Shutdown(SocketShutdown.Both);
            }
            catch (Exception)
            {
                // The other side went away first.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        await _acceptLoop;
        if (_first.Task.IsCompletedSuccessfully)
        {
            _first.Task.Result.Dispose();
        }

        Task[] served;
        lock (_served)
        {
            served = [.. _served];
        }

        await Task.WhenAll(served);
        _stop.Dispose();
    }
}
