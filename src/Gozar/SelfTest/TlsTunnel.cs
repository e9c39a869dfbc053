using System.Net.Sockets;
using System.Security.Cryptography;
using Gozar.Protocol.FakeTls;

namespace Gozar.SelfTest;

/// <summary>
/// The client side of fake-TLS as Telegram apps do it (spec §5): a ClientHello for the secret's domain, the check of
/// the server flight, then ChangeCipherSpec and ApplicationData records around the obfuscated2 stream.
/// </summary>
public sealed class TlsTunnel
{
    private static readonly byte[] ChangeCipherSpec = [0x14, 0x03, 0x03, 0x00, 0x01, 0x01];

    private readonly Socket _socket;
    private readonly TlsRecordReader _reader = new();
    private readonly byte[] _raw = new byte[32 * 1024];
    private int _rawStart;
    private int _rawEnd;
    private bool _sentChangeCipherSpec;

    private TlsTunnel(Socket socket) => _socket = socket;

    public static async Task<TlsTunnel> OpenAsync(Socket socket, byte[] key, string domain, CancellationToken cancellation)
    {
        var entropy = RandomNumberGenerator.GetBytes(ClientHelloBuilder.GetEntropyLength(ClientHelloShape.Classic));
        var hello = new byte[ClientHelloBuilder.GetMaxLength(ClientHelloShape.Classic, domain.Length)];
        var length = ClientHelloBuilder.Build(
            key, domain, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), entropy, ClientHelloShape.Classic, hello);
        await SelfTestClient.SendAllAsync(socket, hello.AsMemory(0, length), cancellation).ConfigureAwait(false);

        var tunnel = new TlsTunnel(socket);
        var clientRandom = hello.AsMemory(ClientHello.RandomOffset, ClientHello.RandomLength);
        while (true)
        {
            var status = ServerFlightVerifier.Verify(key, clientRandom.Span, tunnel._raw.AsSpan(0, tunnel._rawEnd), out var consumed);
            if (status == ServerFlightStatus.Ok)
            {
                tunnel._rawStart = consumed;
                return tunnel;
            }

            if (status != ServerFlightStatus.NeedMoreData)
            {
                throw new InvalidDataException($"The proxy's server flight failed the client check: {status}.");
            }

            await tunnel.ReadRawAsync(cancellation).ConfigureAwait(false);
        }
    }

    public async Task SendAsync(byte[] payload, CancellationToken cancellation)
    {
        var prefix = _sentChangeCipherSpec ? 0 : ChangeCipherSpec.Length;
        var wrapped = new byte[prefix + TlsRecordWriter.GetWrappedLength(payload.Length)];
        ChangeCipherSpec.AsSpan(0, prefix).CopyTo(wrapped);
        TlsRecordWriter.Wrap(payload, wrapped.AsSpan(prefix));
        _sentChangeCipherSpec = true;
        await SelfTestClient.SendAllAsync(_socket, wrapped, cancellation).ConfigureAwait(false);
    }

    public async Task ReceiveAsync(Memory<byte> destination, CancellationToken cancellation)
    {
        while (!destination.IsEmpty)
        {
            if (_rawStart == _rawEnd)
            {
                _rawStart = _rawEnd = 0;
                await ReadRawAsync(cancellation).ConfigureAwait(false);
            }

            var status = _reader.Read(_raw.AsSpan(_rawStart, _rawEnd - _rawStart), destination.Span, out var consumed, out var produced);
            if (status != TlsRecordStatus.Ok)
            {
                throw new InvalidDataException($"The proxy sent a bad record: {status}.");
            }

            _rawStart += consumed;
            destination = destination[produced..];
        }
    }

    private async Task ReadRawAsync(CancellationToken cancellation)
    {
        var read = await _socket.ReceiveAsync(_raw.AsMemory(_rawEnd), SocketFlags.None, cancellation).ConfigureAwait(false);
        if (read == 0)
        {
            throw new EndOfStreamException("The proxy closed the connection early.");
        }

        _rawEnd += read;
    }
}
