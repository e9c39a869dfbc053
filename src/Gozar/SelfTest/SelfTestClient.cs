using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Gozar.Protocol.Crypto;
using Gozar.Protocol.Framing;
using Gozar.Protocol.Obfuscation;

namespace Gozar.SelfTest;

/// <summary>A Telegram-app stand-in: obfuscated2 with a secret, optionally inside fake-TLS records.</summary>
public sealed partial class SelfTestClient : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly AesCtr _encryptor;
    private readonly AesCtr _decryptor;
    private readonly TlsTunnel? _tls;

    private SelfTestClient(Socket socket, AesCtr encryptor, AesCtr decryptor, TlsTunnel? tls)
    {
        _socket = socket;
        _encryptor = encryptor;
        _decryptor = decryptor;
        _tls = tls;
    }

    public Socket Socket => _socket;

    public static Task<SelfTestClient> ConnectAsync(
        IPEndPoint proxy, byte[] key, ProtocolTag tag, short dc, string? tlsDomain, CancellationToken cancellation) =>
        ConnectAsync(proxy, key, tag, dc, tlsDomain is null ? null : socket => TlsTunnel.OpenAsync(socket, key, tlsDomain, cancellation), cancellation);

    /// <param name="openTls">Opens the fake-TLS tunnel on the connected socket; null for plain obfuscated2.</param>
    public static async Task<SelfTestClient> ConnectAsync(
        IPEndPoint proxy, byte[] key, ProtocolTag tag, short dc, Func<Socket, Task<TlsTunnel>>? openTls, CancellationToken cancellation)
    {
        var socket = new Socket(proxy.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(proxy, cancellation).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return await OpenAsync(socket, key, tag, dc, openTls, cancellation).ConfigureAwait(false);
    }

    /// <summary>Starts the client's side on a socket already connected to the proxy, which it then owns.</summary>
    /// <param name="openTls">Opens the fake-TLS tunnel on the socket; null for plain obfuscated2.</param>
    public static async Task<SelfTestClient> OpenAsync(
        Socket socket, byte[] key, ProtocolTag tag, short dc, Func<Socket, Task<TlsTunnel>>? openTls, CancellationToken cancellation)
    {
        try
        {
            var tls = openTls is null ? null : await openTls(socket).ConfigureAwait(false);

            var random = RandomNumberGenerator.GetBytes(Obfuscated2.InitLength);
            var wire = new byte[Obfuscated2.InitLength];
            var streams = Obfuscated2.CreateInit(random, key, tag, dc, wire);
            var client = new SelfTestClient(socket, streams.Encryptor, streams.Decryptor, tls);
            await client.SendRawAsync(wire, cancellation).ConfigureAwait(false);
            return client;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public async Task SendAsync(byte[] plaintext, CancellationToken cancellation)
    {
        var data = plaintext.ToArray();
        _encryptor.Transform(data);
        await SendRawAsync(data, cancellation).ConfigureAwait(false);
    }

    public async Task<byte[]> ReceiveAsync(int count, CancellationToken cancellation)
    {
        var data = new byte[count];
        if (_tls is null)
        {
            await ReceiveExactlyAsync(_socket, data, cancellation).ConfigureAwait(false);
        }
        else
        {
            await _tls.ReceiveAsync(data, cancellation).ConfigureAwait(false);
        }

        _decryptor.Transform(data);
        return data;
    }

    private Task SendRawAsync(byte[] data, CancellationToken cancellation) =>
        _tls is null ? SendAllAsync(_socket, data, cancellation) : _tls.SendAsync(data, cancellation);

    internal static async Task SendAllAsync(Socket socket, ReadOnlyMemory<byte> data, CancellationToken cancellation)
    {
        while (!data.IsEmpty)
        {
            var sent = await socket.SendAsync(data, SocketFlags.None, cancellation).ConfigureAwait(false);
            data = data[sent..];
        }
    }

    internal static async Task ReceiveExactlyAsync(Socket socket, Memory<byte> buffer, CancellationToken cancellation)
    {
        while (!buffer.IsEmpty)
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellation).ConfigureAwait(false);
            if (read == 0)
            {
                throw new EndOfStreamException("The proxy closed the connection early.");
            }

            buffer = buffer[read..];
        }
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        _encryptor.Dispose();
        _decryptor.Dispose();
        return ValueTask.CompletedTask;
    }
}
