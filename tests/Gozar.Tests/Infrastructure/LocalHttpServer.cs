using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gozar.Tests.Infrastructure;

/// <summary>A minimal HTTP/1.1 server on loopback: GET path → status and body, one request per connection.</summary>
public sealed class LocalHttpServer : IAsyncDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly Task _loop;

    public LocalHttpServer()
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(16);
        _loop = RunAsync();
    }

    public ConcurrentDictionary<string, (int Status, byte[] Body)> Routes { get; } = new();

    public Uri Url(string path) => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndPoint!).Port}{path}");

    private async Task RunAsync()
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }

            using (socket)
            {
                try
                {
                    await ServeAsync(socket);
                }
                catch (Exception e) when (e is SocketException or IOException)
                {
                }
            }
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        var request = new StringBuilder();
        var buffer = new byte[4096];
        while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await socket.ReceiveAsync(buffer);
            if (read == 0)
            {
                return;
            }

            request.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        var path = request.ToString().Split(' ')[1];
        var (status, body) = Routes.TryGetValue(path, out var route) ? route : (404, "not found"u8.ToArray());
        var head = $"HTTP/1.1 {status} X\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n";
        await socket.SendAsync(Encoding.ASCII.GetBytes(head));
        await socket.SendAsync(body);
        socket.Shutdown(SocketShutdown.Send);
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Dispose();
        await _loop;
    }
}
