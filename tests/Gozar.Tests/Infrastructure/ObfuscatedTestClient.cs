using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Gozar.Protocol.Crypto;
using Gozar.Protocol.Framing;
using Gozar.Protocol.Obfuscation;

namespace Gozar.Tests.Infrastructure;

/// <summary>A Telegram-app stand-in speaking obfuscated2 with a secret straight over TCP (classic and dd secrets).</summary>
public sealed class ObfuscatedTestClient : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly AesCtr _encryptor;
    private readonly AesCtr _decryptor;

    private ObfuscatedTestClient(Socket socket, AesCtr encryptor, AesCtr decryptor)
    {
        _socket = socket;
        _encryptor = encryptor;
        _decryptor = decryptor;
    }

    public Socket Socket => _socket;

    public static async Task<ObfuscatedTestClient> ConnectAsync(IPEndPoint proxy, byte[] secret, ProtocolTag tag, short dc)
    {
        var socket = new Socket(proxy.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(proxy);
        var random = RandomNumberGenerator.GetBytes(Obfuscated2.InitLength);
        var wire = new byte[Obfuscated2.InitLength];
        var streams = Obfuscated2.CreateInit(random, secret, tag, dc, wire);
        await socket.SendAsync(wire);
        return new ObfuscatedTestClient(socket, streams.Encryptor, streams.Decryptor);
    }

    public async Task SendAsync(ReadOnlyMemory<byte> plaintext)
    {
        var buffer = plaintext.ToArray();
        _encryptor.Transform(buffer);
        await _socket.SendAsync(buffer);
    }

    public async Task<byte[]> ReceiveExactlyAsync(int count)
    {
        var buffer = new byte[count];
        await _socket.ReceiveExactlyAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        _decryptor.Transform(buffer);
        return buffer;
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        _encryptor.Dispose();
        _decryptor.Dispose();
        return ValueTask.CompletedTask;
    }
}
