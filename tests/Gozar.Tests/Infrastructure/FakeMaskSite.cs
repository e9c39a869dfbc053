using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gozar.Tests.Infrastructure;

/// <summary>
/// A stand-in for the website unauthenticated connections are relayed to: records what each connection sent until it
/// has at least <see cref="AnswerAfter"/> bytes, then answers with a fixed response and closes.
/// </summary>
public sealed class FakeMaskSite : IAsyncDisposable
{
    public static readonly byte[] Response = Encoding.ASCII.GetBytes(
        "HTTP/1.1 400 Bad Request\r\nServer: nginx\r\nContent-Length: 11\r\nConnection: close\r\n\r\nbad request");

    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private readonly ConcurrentBag<Task> _connections = [];

    public FakeMaskSite(int answerAfter = 1)
    {
        AnswerAfter = answerAfter;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(128);
        EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        _acceptLoop = AcceptAsync();
    }

    public int AnswerAfter { get; }

    public IPEndPoint EndPoint { get; }

    /// <summary>What each connection sent before the site answered.</summary>
    public ConcurrentQueue<byte[]> Received { get; } = new();

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

            _connections.Add(ServeAsync(socket));
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using (socket)
        {
            try
            {
                var received = new MemoryStream();
                var buffer = new byte[4096];
                while (received.Length < AnswerAfter)
                {
                    var read = await socket.ReceiveAsync(buffer, _stop.Token);
                    if (read == 0)
                    {
                        break;
                    }

                    received.Write(buffer, 0, read);
                }

                Received.Enqueue(received.ToArray());
                await socket.SendAsync(Response, _stop.Token);
                socket.Shutdown(SocketShutdown.Both);
            }
            catch (Exception)
            {
                // The client went away first.
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
