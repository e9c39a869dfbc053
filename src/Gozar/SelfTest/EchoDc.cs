using System.Net;
using System.Net.Sockets;
using Gozar.Protocol.Obfuscation;

namespace Gozar.SelfTest;

/// <summary>
/// A loopback stand-in for a Telegram DC: accepts the proxy's unkeyed obfuscated2 init (spec §4.2) and echoes every
/// byte back on its own stream, so a client can check what came back.
/// </summary>
public sealed class EchoDc : IAsyncDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private readonly Task _acceptLoop;

    public EchoDc()
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(64);
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        _acceptLoop = AcceptAsync();
    }

    public int Port { get; }

    /// <summary>The framing and DC index of every init accepted, in arrival order.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<(Protocol.Framing.ProtocolTag Tag, short DcId)> Inits { get; } = new();

    private async Task AcceptAsync()
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            lock (_connections)
            {
                _connections.Add(EchoAsync(socket));
            }
        }
    }

    private async Task EchoAsync(Socket socket)
    {
        using (socket)
        {
            var buffer = new byte[64 * 1024];
            try
            {
                var received = 0;
                while (received < Obfuscated2.InitLength)
                {
                    var read = await socket.ReceiveAsync(buffer.AsMemory(received, Obfuscated2.InitLength - received), _stop.Token)
                        .ConfigureAwait(false);
                    if (read == 0)
                    {
                        return;
                    }

                    received += read;
                }

                if (!Obfuscated2.TryAcceptUnkeyed(buffer.AsSpan(0, Obfuscated2.InitLength), out var streams))
                {
                    return;
                }

                Inits.Enqueue((streams.Tag, streams.DcId));
                using var decryptor = streams.Decryptor;
                using var encryptor = streams.Encryptor ?? throw new InvalidOperationException("An accepted init comes with its encryptor.");
                while (true)
                {
                    var read = await socket.ReceiveAsync(buffer, _stop.Token).ConfigureAwait(false);
                    if (read == 0)
                    {
                        socket.Shutdown(SocketShutdown.Send);
                        return;
                    }

                    decryptor.Transform(buffer.AsSpan(0, read));
                    encryptor.Transform(buffer.AsSpan(0, read));
                    await socket.SendAsync(buffer.AsMemory(0, read), _stop.Token).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        await _acceptLoop.ConfigureAwait(false);
        Task[] pending;
        lock (_connections)
        {
            pending = [.. _connections];
        }

        await Task.WhenAll(pending).ConfigureAwait(false);
        _stop.Dispose();
    }
}
