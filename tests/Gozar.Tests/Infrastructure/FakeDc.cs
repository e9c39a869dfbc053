using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Gozar.Protocol.Framing;
using Gozar.Protocol.Obfuscation;

namespace Gozar.Tests.Infrastructure;

/// <summary>
/// A Telegram DC stand-in on loopback: accepts the proxy's obfuscated2 init (no secret, spec §4.2), records the tag and
/// DC index it announced, and echoes every byte back on its own stream.
/// </summary>
public sealed class FakeDc : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private readonly ConcurrentBag<Task> _connections = [];

    public FakeDc(IPAddress? address = null)
    {
        _listener = new Socket(SocketType.Stream, ProtocolType.Tcp);
        var bind = address ?? IPAddress.Loopback;
        if (bind.AddressFamily == AddressFamily.InterNetworkV6)
        {
            _listener = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);
        }
        else
        {
            _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        }

        _listener.Bind(new IPEndPoint(bind, 0));
        _listener.Listen(512);
        EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        _acceptLoop = AcceptAsync();
    }

    public IPEndPoint EndPoint { get; }

    public string Address => EndPoint.AddressFamily == AddressFamily.InterNetworkV6
        ? $"[{EndPoint.Address}]:{EndPoint.Port}"
        : EndPoint.ToString();

    /// <summary>Every init the DC accepted, in arrival order.</summary>
    public ConcurrentQueue<(ProtocolTag Tag, short DcId)> Inits { get; } = new();

    public int RejectedInits;

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
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

            _connections.Add(EchoAsync(socket));
        }
    }

    private async Task EchoAsync(Socket socket)
    {
        using (socket)
        {
            try
            {
                var init = new byte[Obfuscated2.InitLength];
                await socket.ReceiveExactlyAsync(init, _stop.Token);
                if (!Obfuscated2.TryAcceptUnkeyed(init, out var streams))
                {
                    Interlocked.Increment(ref RejectedInits);
                    return;
                }

                Inits.Enqueue((streams.Tag, streams.DcId));
                using var decryptor = streams.Decryptor;
                using var encryptor = streams.Encryptor;
                var buffer = new byte[64 * 1024];
                while (true)
                {
                    var read = await socket.ReceiveAsync(buffer, _stop.Token);
                    if (read == 0)
                    {
                        socket.Shutdown(SocketShutdown.Send);
                        return;
                    }

                    decryptor.Transform(buffer.AsSpan(0, read));
                    encryptor.Transform(buffer.AsSpan(0, read));
                    await socket.SendAsync(buffer.AsMemory(0, read), _stop.Token);
                }
            }
            catch (Exception)
            {
                // A test that resets or abandons a connection ends it here.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        await _acceptLoop;
        await Task.WhenAll(_connections);
        _stop.Dispose();
    }
}
