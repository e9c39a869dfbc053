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

    /// <summary>A ClientHello for the key and domain as Telegram Desktop sends it (spec §5.1, §5.2).</summary>
    public static byte[] BuildHello(byte[] key, string domain, long unixTime, ClientHelloShape shape = ClientHelloShape.Classic)
    {
        var entropy = RandomNumberGenerator.GetBytes(ClientHelloBuilder.GetEntropyLength(shape));
        var hello = new byte[ClientHelloBuilder.GetLength(shape, domain.Length, entropy)];
        ClientHelloBuilder.Build(key, domain, unixTime, entropy, shape, hello);
        return hello;
    }

    public static Task<TlsTunnel> OpenAsync(Socket socket, byte[] key, string domain, CancellationToken cancellation)
    {
        var hello = BuildHello(key, domain, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        return OpenAsync(socket, key, ClientRandomOf(hello), [hello], cancellation);
    }

    /// <summary>
    /// Sends the hello as the given TCP writes (possibly re-cut into several records, as DPI-evasion tools do),
    /// then checks the server flight against the hello's random.
    /// </summary>
    public static async Task<TlsTunnel> OpenAsync(
        Socket socket, byte[] key, byte[] clientRandom, IReadOnlyList<byte[]> helloWrites, CancellationToken cancellation)
    {
        foreach (var write in helloWrites)
        {
            await SelfTestClient.SendAllAsync(socket, write, cancellation).ConfigureAwait(false);
        }

        var tunnel = new TlsTunnel(socket);
        while (true)
        {
            var status = ServerFlightVerifier.Verify(key, clientRandom, tunnel._raw.AsSpan(0, tunnel._rawEnd), out var consumed);
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

    public static byte[] ClientRandomOf(byte[] hello) => hello.AsSpan(ClientHello.RandomOffset, ClientHello.RandomLength).ToArray();

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
