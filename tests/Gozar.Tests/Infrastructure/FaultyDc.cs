using System.Net;
using System.Net.Sockets;
using Gozar.Protocol.Obfuscation;

namespace Gozar.Tests.Infrastructure;

/// <summary>A DC that misbehaves on loopback: accepts the proxy's init, then resets the connection.</summary>
public sealed class ResettingDc : IAsyncDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly Task _loop;
    private readonly bool _atOnce;

    /// <param name="atOnce">Reset every connection as soon as it is accepted, before reading its init.</param>
    public ResettingDc(bool atOnce = false)
    {
        _atOnce = atOnce;
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(16);
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        _loop = RunAsync();
    }

    public int Port { get; }

    private async Task RunAsync()
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync();
            }
            catch (Exception)
            {
                return;
            }

            try
            {
                if (!_atOnce)
                {
                    await socket.ReceiveExactlyAsync(new byte[Obfuscated2.InitLength]);
                    await socket.ReceiveAsync(new byte[1]);
                }
            }
            catch (Exception)
            {
            }

            socket.LingerState = new LingerOption(true, 0);
            socket.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Dispose();
        await _loop;
    }
}

/// <summary>A DC whose accept queue is full: connections to it neither succeed nor fail until they time out.</summary>
public sealed class BlackHoleDc : IDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly List<Socket> _fillers = [];

    public BlackHoleDc()
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(0);
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        for (var i = 0; i < 4; i++)
        {
            var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { Blocking = false };
            try
            {
                filler.Connect(new IPEndPoint(IPAddress.Loopback, Port));
            }
            catch (SocketException)
            {
            }

            _fillers.Add(filler);
        }
    }

    public int Port { get; }

    public void Dispose()
    {
        _fillers.ForEach(f => f.Dispose());
        _listener.Dispose();
    }
}
