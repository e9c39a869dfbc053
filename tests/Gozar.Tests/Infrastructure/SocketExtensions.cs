using System.Net;
using System.Net.Sockets;

namespace Gozar.Tests.Infrastructure;

public static class SocketExtensions
{
    /// <summary>Reads until the peer closes; fails the test after the timeout instead of hanging.</summary>
    public static async Task<byte[]> ReadToEndAsync(this Socket socket, TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        var output = new MemoryStream();
        var buffer = new byte[16 * 1024];
        while (true)
        {
            int read;
            try
            {
                read = await socket.ReceiveAsync(buffer, cancel.Token);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
            {
                break;
            }

            if (read == 0)
            {
                break;
            }

            output.Write(buffer, 0, read);
        }

        return output.ToArray();
    }

    public static async ValueTask ReceiveExactlyAsync(this Socket socket, Memory<byte> buffer, CancellationToken cancellation = default)
    {
        while (!buffer.IsEmpty)
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellation);
            if (read == 0)
            {
                throw new EndOfStreamException($"Peer closed with {buffer.Length} bytes still expected.");
            }

            buffer = buffer[read..];
        }
    }

    public static async Task<Socket> ConnectAsync(IPEndPoint endpoint)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endpoint);
        return socket;
    }
}
