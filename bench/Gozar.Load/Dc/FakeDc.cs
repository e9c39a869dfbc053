using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Gozar.Load.Wire;
using Gozar.Protocol.Crypto;

namespace Gozar.Load.Dc;

/// <summary>
/// A stand-in for Telegram's DCs on loopback. Its obfuscated port accepts the proxy's unkeyed init (spec §4.2); its
/// plain port takes the ceiling relay's bytes as they are. Then a <see cref="Command"/> says what to do: echo, or take
/// and check upload bytes (sink) while sending download bytes (source). An idle connection holds no buffer.
/// </summary>
public sealed class FakeDc
{
    private const int Backlog = 4096;
    private const int BufferSize = 64 * 1024;

    private readonly Socket _obfuscated;
    private readonly Socket _plain;

    public FakeDc(IPEndPoint obfuscated, IPEndPoint plain)
    {
        _obfuscated = Listen(obfuscated);
        _plain = Listen(plain);
    }

    public Task RunAsync(CancellationToken stopping) =>
        Task.WhenAll(AcceptAsync(_obfuscated, obfuscated: true, stopping), AcceptAsync(_plain, obfuscated: false, stopping));

    private static Socket Listen(IPEndPoint endpoint)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        socket.Bind(endpoint);
        socket.Listen(Backlog);
        return socket;
    }

    private static async Task AcceptAsync(Socket listener, bool obfuscated, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }

            _ = ServeAsync(socket, obfuscated);
        }
    }

    private static async Task ServeAsync(Socket socket, bool obfuscated)
    {
        AesCtr? decrypt = null;
        AesCtr? encrypt = null;
        var opening = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            socket.NoDelay = true;

            // The init, the command and the first message arrive in one segment: one read takes them all, as a DC's
            // would, not one read per field.
            var prefix = obfuscated ? ObfuscatedInit.Length : 0;
            var received = await ReceiveAtLeastAsync(socket, opening, prefix + Command.Length).ConfigureAwait(false);
            if (received < 0
                || (obfuscated && !ObfuscatedInit.TryAcceptUnkeyed(opening, out _, out _, out decrypt, out encrypt)))
            {
                return;
            }

            var tunnel = opening.AsMemory(prefix, received - prefix);
            decrypt?.Transform(tunnel.Span);
            if (!Command.TryRead(tunnel.Span[..Command.Length], out var command))
            {
                return;
            }

            var early = tunnel[Command.Length..];
            if (command.Kind == CommandKind.Echo)
            {
                encrypt?.Transform(early.Span);
                await SendAllAsync(socket, early).ConfigureAwait(false);
                ArrayPool<byte>.Shared.Return(opening);
                opening = null;
                await EchoAsync(socket, decrypt, encrypt).ConfigureAwait(false);
            }
            else
            {
                var matched = command.Upload == 0 || Pattern.Matches(command.Offset, early.Span);
                var uploaded = command.Upload == 0 ? 0 : early.Length;
                ArrayPool<byte>.Shared.Return(opening);
                opening = null;
                await StreamAsync(socket, decrypt, encrypt, command, uploaded, matched).ConfigureAwait(false);
            }
        }
        catch (SocketException)
        {
        }
        finally
        {
            if (opening is not null)
            {
                ArrayPool<byte>.Shared.Return(opening);
            }

            socket.Dispose();
            decrypt?.Dispose();
            encrypt?.Dispose();
        }
    }

    private static async Task EchoAsync(Socket socket, AesCtr? decrypt, AesCtr? encrypt)
    {
        while (true)
        {
            await socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None).ConfigureAwait(false);
            var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
            try
            {
                var received = await socket.ReceiveAsync(buffer, SocketFlags.None).ConfigureAwait(false);
                if (received == 0)
                {
                    socket.Shutdown(SocketShutdown.Send);
                    return;
                }

                var data = buffer.AsSpan(0, received);
                decrypt?.Transform(data);
                encrypt?.Transform(data);
                await SendAllAsync(socket, buffer.AsMemory(0, received)).ConfigureAwait(false);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    /// <param name="uploaded">Upload bytes that came with the command, already checked: <paramref name="matched"/>.</param>
    private static async Task StreamAsync(Socket socket, AesCtr? decrypt, AesCtr? encrypt, Command command, int uploaded, bool matched)
    {
        var source = command.Download > 0 ? SourceAsync(socket, encrypt, command) : Task.CompletedTask;
        if (command.Upload > uploaded)
        {
            matched &= await SinkAsync(socket, decrypt, command.Offset + uploaded, command.Upload - uploaded).ConfigureAwait(false);
        }

        await source.ConfigureAwait(false);
        if (command.Upload > 0)
        {
            var status = new[] { matched ? Command.StatusOk : Command.StatusMismatch };
            encrypt?.Transform(status);
            await SendAllAsync(socket, status).ConfigureAwait(false);
        }

        // The client closes first; keep reading so its close is a clean end of stream.
        var drain = new byte[256];
        while (await socket.ReceiveAsync(drain, SocketFlags.None).ConfigureAwait(false) > 0)
        {
        }

        socket.Shutdown(SocketShutdown.Send);
    }

    private static async Task<bool> SinkAsync(Socket socket, AesCtr? decrypt, long position, long count)
    {
        var buffer = new byte[BufferSize];
        var matched = true;
        while (count > 0)
        {
            var received = await socket.ReceiveAsync(buffer.AsMemory(0, (int)Math.Min(BufferSize, count)), SocketFlags.None)
                .ConfigureAwait(false);
            if (received == 0)
            {
                return false;
            }

            var data = buffer.AsSpan(0, received);
            decrypt?.Transform(data);
            matched &= Pattern.Matches(position, data);
            position += received;
            count -= received;
        }

        return matched;
    }

    private static async Task SourceAsync(Socket socket, AesCtr? encrypt, Command command)
    {
        var buffer = new byte[BufferSize];
        var encrypted = command.Check == DownloadCheck.Ciphertext ? Command.DecryptedPrefix : long.MaxValue;
        long position = command.Offset;
        for (long sent = 0; sent < command.Download;)
        {
            // A chunk never straddles the end of the encrypted prefix.
            var end = sent < encrypted ? Math.Min(encrypted, command.Download) : command.Download;
            var length = (int)Math.Min(BufferSize, end - sent);
            var plain = Pattern.Slice(position, length);
            if (encrypt is null || sent >= encrypted)
            {
                plain.CopyTo(buffer);
            }
            else
            {
                encrypt.Transform(plain, buffer.AsSpan(0, length));
            }

            await SendAllAsync(socket, buffer.AsMemory(0, length)).ConfigureAwait(false);
            position += length;
            sent += length;
        }
    }

    /// <summary>Reads into <paramref name="buffer"/> until it holds at least <paramref name="count"/> bytes: how many, or -1 at end of stream.</summary>
    private static async ValueTask<int> ReceiveAtLeastAsync(Socket socket, byte[] buffer, int count)
    {
        var held = 0;
        while (held < count)
        {
            var received = await socket.ReceiveAsync(buffer.AsMemory(held), SocketFlags.None).ConfigureAwait(false);
            if (received == 0)
            {
                return -1;
            }

            held += received;
        }

        return held;
    }

    private static async ValueTask SendAllAsync(Socket socket, ReadOnlyMemory<byte> data)
    {
        while (!data.IsEmpty)
        {
            var sent = await socket.SendAsync(data, SocketFlags.None).ConfigureAwait(false);
            data = data[sent..];
        }
    }
}
