// relay.c's twin on .NET's sockets (bench/ceiling): the same crypto-free relay, written the plain .NET way (async
// accept, connect and pumps, zero-byte reads before renting a pooled 64 KiB buffer, TCP_NODELAY, backpressure by
// awaiting each send). Run with DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 as Gozar runs, it measures what the
// runtime's socket layer costs per connection before any proxy work, the floor under Gozar's handshake rate.
//
//   dotnet-relay LISTEN_PORT TARGET_PORT      (both on 127.0.0.1)
using System.Buffers;
using System.Net;
using System.Net.Sockets;

if (args.Length != 2 || !int.TryParse(args[0], out var listenPort) || !int.TryParse(args[1], out var targetPort))
{
    Console.Error.WriteLine("usage: dotnet-relay LISTEN_PORT TARGET_PORT");
    return 2;
}

var target = new IPEndPoint(IPAddress.Loopback, targetPort);
using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
listener.Bind(new IPEndPoint(IPAddress.Loopback, listenPort));
listener.Listen(4096);
while (true)
{
    var client = await listener.AcceptAsync().ConfigureAwait(false);
    _ = Relay.RunAsync(client, target);
}

internal static class Relay
{
    private const int BufferSize = 64 * 1024;

    public static async Task RunAsync(Socket client, IPEndPoint target)
    {
        using var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using (client)
        {
            try
            {
                client.NoDelay = true;
                await upstream.ConnectAsync(target).ConfigureAwait(false);
                await Task.WhenAll(PumpAsync(client, upstream), PumpAsync(upstream, client)).ConfigureAwait(false);
            }
            catch (SocketException)
            {
                // A reset on either leg ends the pair; disposing both closes the other.
            }
        }
    }

    private static async Task PumpAsync(Socket from, Socket to)
    {
        while (true)
        {
            await from.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None).ConfigureAwait(false);
            var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
            try
            {
                var received = await from.ReceiveAsync(buffer, SocketFlags.None).ConfigureAwait(false);
                if (received == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                await to.SendAsync(buffer.AsMemory(0, received), SocketFlags.None).ConfigureAwait(false);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }
}
