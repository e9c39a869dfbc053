using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gozar.Tests.Infrastructure;

/// <summary>
/// A stand-in for the website unauthenticated connections are relayed to: records what each connection sent until it
/// has at least <see cref="AnswerAfter"/> bytes, then answers with a fixed response and closes (or, half-closing, only
/// stops sending and records what still comes).
/// </summary>
public sealed class FakeMaskSite : IAsyncDisposable
{
    public static readonly byte[] Response = Encoding.ASCII.GetBytes(
        "HTTP/1.1 400 Bad Request\r\nServer: nginx\r\nContent-Length: 11\r\nConnection: close\r\n\r\nbad request");

    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private readonly ConcurrentBag<Task> _connections = [];
    private readonly bool _halfClose;

    /// <param name="halfClose">After the answer shut down only the sending side and read on to the client's end.</param>
    public FakeMaskSite(int answerAfter = 1, bool halfClose = false)
    {
        AnswerAfter = answerAfter;
        _halfClose = halfClose;
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

    /// <summary>What a half-closing site received after its answer, chunk by chunk.</summary>
    public ConcurrentQueue<byte[]> ReceivedAfterAnswer { get; } = new();

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
                if (!_halfClose)
                {
                    socket.Shutdown(SocketShutdown.Both);
                    return;
                }

                socket.Shutdown(SocketShutdown.Send);
                int late;
                while ((late = await socket.ReceiveAsync(buffer, _stop.Token)) > 0)
                {
                    ReceivedAfterAnswer.Enqueue(buffer[..late]);
                }
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
