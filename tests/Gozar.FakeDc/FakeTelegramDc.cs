using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Gozar.FakeDc.Crypto;
using Gozar.FakeDc.Messages;
using Gozar.FakeDc.Rpc;
using Gozar.FakeDc.Transport;

namespace Gozar.FakeDc;

/// <summary>
/// A Telegram DC stand-in on 127.0.0.1 that real client libraries can talk to through a direct-mode proxy: it
/// completes the MTProto key exchange with its own RSA key and answers ping, help.getConfig, uploads and downloads.
/// Auth keys, sessions and uploaded files are shared by all its connections, as on one real DC.
/// </summary>
public sealed class FakeTelegramDc : IAsyncDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private readonly Task _acceptLoop;

    public FakeTelegramDc(FakeDcOptions? options = null, int port = 0)
    {
        Options = options ?? new FakeDcOptions();
        Events = new DcEvents(Options.Trace);
        RsaKey = Options.RsaKey ?? DcRsaKey.Generate();
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, port));
        _listener.Listen(64);
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        _acceptLoop = AcceptAsync();
    }

    public int Port { get; }

    public FakeDcOptions Options { get; }

    public DcRsaKey RsaKey { get; }

    public DcEvents Events { get; }

    public FileStore Files { get; } = new();

    internal TimeProvider Time => Options.Time;

    internal ConcurrentDictionary<long, AuthKey> AuthKeys { get; } = new();

    internal ConcurrentDictionary<(long KeyId, long SessionId), ServerSession> Sessions { get; } = new();

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

            socket.NoDelay = true;
            lock (_connections)
            {
                _connections.RemoveAll(t => t.IsCompleted);
                _connections.Add(ServeAsync(socket));
            }
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        try
        {
            await new DcConnection(socket, this).RunAsync(_stop.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
        catch (Exception e)
        {
            Events.Problem("connection failed: " + e);
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
