using System.Buffers;
using System.Buffers.Binary;
using System.Net.Sockets;
using Gozar.Load.Wire;
using Gozar.Protocol.Crypto;
using Gozar.Protocol.FakeTls;

namespace Gozar.Load.Client;

/// <summary>
/// One client connection as a Telegram app makes it: obfuscated2 init with the user's key, inside fake-TLS records of
/// at most 2878 payload bytes (what tdlib and Telegram Desktop write, spec §5.7) in ee mode. Buffers are taken once
/// per connection from the shared pool (a handshake scenario opens thousands a second); encryption goes straight from
/// the pattern into the send buffer and decryption straight from received records into the caller's buffer.
/// </summary>
public sealed class LoadConnection : IDisposable
{
    public const int ClientRecordPayload = 2878;

    private const int RecordHeader = 5;
    private const int MaxServerRecordPayload = 16384;
    private const int MinRawCapacity = 16 * 1024;
    private static readonly byte[] ChangeCipherSpec = [0x14, 0x03, 0x03, 0x00, 0x01, 0x01];

    private readonly Socket _socket;
    private readonly Transport _transport;
    private readonly byte[] _out;
    private readonly byte[]? _raw;
    private AesCtr? _encrypt;
    private AesCtr? _decrypt;
    private int _outLength;
    private int _recordStart = -1;
    private int _rawStart;
    private int _rawEnd;
    private int _recordLeft;
    private long _decryptLeft = long.MaxValue;
    private bool _disposed;

    private LoadConnection(Socket socket, Transport transport, int chunkCapacity)
    {
        _socket = socket;
        _transport = transport;
        ChunkCapacity = chunkCapacity;
        _out = ArrayPool<byte>.Shared.Rent(chunkCapacity + ((chunkCapacity / ClientRecordPayload) + 2) * RecordHeader + 256);
        if (transport == Transport.Tls)
        {
            _raw = ArrayPool<byte>.Shared.Rent(Math.Max(chunkCapacity, MinRawCapacity));
        }
    }

    /// <summary>Most plaintext bytes one <see cref="StagePattern"/> + <see cref="FlushAsync"/> may carry.</summary>
    public int ChunkCapacity { get; }

    /// <summary>
    /// Connects, does the transport's handshake and sends the init, the command and the first
    /// <paramref name="firstLength"/> pattern bytes of the upload in one write, as apps send the init with the first
    /// packet.
    /// </summary>
    public static async Task<LoadConnection> OpenAsync(
        LoadTarget target, Command command, int firstLength, int chunkCapacity, CancellationToken cancellation)
    {
        var socket = new Socket(target.EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var connection = new LoadConnection(socket, target.Transport, chunkCapacity);
        try
        {
            await socket.ConnectAsync(target.EndPoint, cancellation).ConfigureAwait(false);
            if (target.Transport == Transport.Tls)
            {
                await connection.TlsHandshakeAsync(target.Key, target.Domain, cancellation).ConfigureAwait(false);
                ChangeCipherSpec.CopyTo(connection._out, 0);
                connection._outLength = ChangeCipherSpec.Length;
            }

            if (target.Transport != Transport.Plain)
            {
                Span<byte> init = stackalloc byte[ObfuscatedInit.Length];
                var tag = target.Transport == Transport.Classic ? ObfuscatedInit.TagAbridged : ObfuscatedInit.TagPaddedIntermediate;
                byte[] secret = target.Transport == Transport.Upstream ? [] : target.Key;
                (connection._encrypt, connection._decrypt) =
                    ObfuscatedInit.CreateClient(secret, tag, LoadTarget.Dc, target.Transport == Transport.Tls, init);
                connection.Stage(init, encrypt: false);
            }

            Span<byte> header = stackalloc byte[Command.Length];
            command.Write(header);
            connection.Stage(header, encrypt: true);
            connection.StagePattern(command.Offset, firstLength);
            await connection.FlushAsync(cancellation).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Adds pattern bytes [position, position + length) of the upload, encrypted, to the next write.</summary>
    public void StagePattern(long position, int length)
    {
        while (length > 0)
        {
            var take = Math.Min(length, Pattern.MaxSpan);
            Stage(Pattern.Slice(position, take), encrypt: true);
            position += take;
            length -= take;
        }
    }

    /// <summary>Sends everything staged.</summary>
    public async ValueTask FlushAsync(CancellationToken cancellation)
    {
        CloseRecord();
        var data = _out.AsMemory(0, _outLength);
        _outLength = 0;
        while (!data.IsEmpty)
        {
            var sent = await _socket.SendAsync(data, SocketFlags.None, cancellation).ConfigureAwait(false);
            data = data[sent..];
        }
    }

    /// <summary>
    /// From the next received tunnel byte on, decrypts only <paramref name="bytes"/> more and passes the rest on as
    /// received (<see cref="DownloadCheck.Ciphertext"/>).
    /// </summary>
    public void StopDecryptingAfter(long bytes) => _decryptLeft = bytes;

    /// <summary>Receives at least one decrypted tunnel byte into <paramref name="destination"/>; 0 at end of stream.</summary>
    public async ValueTask<int> ReceiveAsync(Memory<byte> destination, CancellationToken cancellation)
    {
        if (_raw is null)
        {
            if (_decryptLeft > 0 && _decryptLeft < destination.Length)
            {
                destination = destination[..(int)_decryptLeft];
            }

            var received = await _socket.ReceiveAsync(destination, SocketFlags.None, cancellation).ConfigureAwait(false);
            if (_decryptLeft > 0)
            {
                _decrypt?.Transform(destination.Span[..received]);
                _decryptLeft -= received;
            }

            return received;
        }

        var payload = await NextPayloadAsync(destination.Length, cancellation).ConfigureAwait(false);
        if (payload == 0)
        {
            return 0;
        }

        if (_decryptLeft > 0)
        {
            payload = (int)Math.Min(payload, _decryptLeft);
            _decrypt!.Transform(_raw.AsSpan(_rawStart, payload), destination.Span[..payload]);
            _decryptLeft -= payload;
        }
        else
        {
            _raw.AsSpan(_rawStart, payload).CopyTo(destination.Span);
        }

        Consume(payload);
        return payload;
    }

    /// <summary>
    /// Waits until record payload bytes are in the record buffer from <c>_rawStart</c> on, reading past record headers;
    /// returns how many, at most <paramref name="max"/> and never beyond the current record; 0 at end of stream.
    /// </summary>
    private async ValueTask<int> NextPayloadAsync(long max, CancellationToken cancellation)
    {
        while (true)
        {
            var available = _rawEnd - _rawStart;
            if (_recordLeft > 0 && available > 0)
            {
                return (int)Math.Min(Math.Min(_recordLeft, available), max);
            }

            if (_recordLeft == 0 && available >= RecordHeader)
            {
                _recordLeft = ReadRecordHeader(_raw.AsSpan(_rawStart, RecordHeader));
                _rawStart += RecordHeader;
            }
            else if (!await FillRawAsync(cancellation).ConfigureAwait(false))
            {
                return 0;
            }
        }
    }

    private void Consume(int payload)
    {
        _rawStart += payload;
        _recordLeft -= payload;
    }

    /// <summary>Reads more of the stream into the record buffer (moving what is left to its start first); false at its end.</summary>
    private async ValueTask<bool> FillRawAsync(CancellationToken cancellation)
    {
        var raw = _raw!;
        var available = _rawEnd - _rawStart;
        if (available == 0)
        {
            _rawStart = _rawEnd = 0;
        }
        else if (_rawEnd == raw.Length)
        {
            raw.AsSpan(_rawStart, available).CopyTo(raw);
            _rawStart = 0;
            _rawEnd = available;
        }

        var read = await _socket.ReceiveAsync(raw.AsMemory(_rawEnd), SocketFlags.None, cancellation).ConfigureAwait(false);
        _rawEnd += read;
        return read > 0;
    }

    /// <summary>Receives exactly <paramref name="destination"/>.Length bytes; false when the stream ended first.</summary>
    public async ValueTask<bool> ReceiveExactlyAsync(Memory<byte> destination, CancellationToken cancellation)
    {
        while (!destination.IsEmpty)
        {
            var received = await ReceiveAsync(destination, cancellation).ConfigureAwait(false);
            if (received == 0)
            {
                return false;
            }

            destination = destination[received..];
        }

        return true;
    }

    /// <summary>
    /// Receives <paramref name="count"/> bytes through <paramref name="scratch"/> and checks each against the pattern
    /// from <paramref name="position"/> on. False on any difference or an early end.
    /// </summary>
    public async ValueTask<bool> ReceivePatternAsync(long position, long count, Memory<byte> scratch, CancellationToken cancellation)
    {
        while (count > 0)
        {
            // Ciphertext is checked where it arrived: records' payloads need no copy out of the receive buffer.
            if (_raw is not null && _decryptLeft == 0)
            {
                var payload = await NextPayloadAsync(count, cancellation).ConfigureAwait(false);
                if (payload == 0 || !Pattern.Matches(position, _raw.AsSpan(_rawStart, payload)))
                {
                    return false;
                }

                Consume(payload);
                position += payload;
                count -= payload;
                continue;
            }

            var window = scratch[..(int)Math.Min(scratch.Length, count)];
            var received = await ReceiveAsync(window, cancellation).ConfigureAwait(false);
            if (received == 0 || !Pattern.Matches(position, window.Span[..received]))
            {
                return false;
            }

            position += received;
            count -= received;
        }

        return true;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _socket.Dispose();
        _encrypt?.Dispose();
        _decrypt?.Dispose();
        ArrayPool<byte>.Shared.Return(_out);
        if (_raw is not null)
        {
            ArrayPool<byte>.Shared.Return(_raw);
        }
    }

    private async Task TlsHandshakeAsync(byte[] key, string domain, CancellationToken cancellation)
    {
        // The hello goes out of the send buffer, which is empty until the init is staged after the handshake.
        var hello = _out.AsMemory(0, BuildHello(key, domain, _out));
        var clientRandom = hello[ClientHello.RandomOffset..(ClientHello.RandomOffset + ClientHello.RandomLength)];
        await _socket.SendAsync(hello, SocketFlags.None, cancellation).ConfigureAwait(false);

        var raw = _raw!;
        while (true)
        {
            var status = ServerFlightVerifier.Verify(key, clientRandom.Span, raw.AsSpan(0, _rawEnd), out var consumed);
            if (status == ServerFlightStatus.Ok)
            {
                _rawStart = consumed;
                return;
            }

            if (status != ServerFlightStatus.NeedMoreData || _rawEnd == raw.Length)
            {
                throw new InvalidDataException($"server flight failed the client check: {status}");
            }

            var read = await _socket.ReceiveAsync(raw.AsMemory(_rawEnd), SocketFlags.None, cancellation).ConfigureAwait(false);
            if (read == 0)
            {
                throw new EndOfStreamException("the proxy closed during the TLS handshake");
            }

            _rawEnd += read;
        }
    }

    private static int BuildHello(byte[] key, string domain, Span<byte> destination)
    {
        Span<byte> entropy = stackalloc byte[ClientHelloBuilder.GetEntropyLength(ClientHelloShape.Classic)];
        Random.Shared.NextBytes(entropy); // as ObfuscatedInit.CreateClient: not a CSPRNG, on purpose
        var length = ClientHelloBuilder.GetLength(ClientHelloShape.Classic, domain.Length, entropy);
        ClientHelloBuilder.Build(key, domain, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), entropy, ClientHelloShape.Classic, destination[..length]);
        return length;
    }

    /// <summary>Appends tunnel bytes, cut into ApplicationData records in TLS mode.</summary>
    private void Stage(ReadOnlySpan<byte> bytes, bool encrypt)
    {
        while (!bytes.IsEmpty)
        {
            var room = Reserve(bytes.Length);
            var part = bytes[..room.Length];
            if (encrypt && _encrypt is not null)
            {
                _encrypt.Transform(part, room);
            }
            else
            {
                part.CopyTo(room);
            }

            bytes = bytes[room.Length..];
        }
    }

    private Span<byte> Reserve(int wanted)
    {
        if (_transport != Transport.Tls)
        {
            var room = _out.AsSpan(_outLength, wanted);
            _outLength += wanted;
            return room;
        }

        if (_recordStart < 0 || _outLength - _recordStart - RecordHeader == ClientRecordPayload)
        {
            CloseRecord();
            _recordStart = _outLength;
            _outLength += RecordHeader;
        }

        var take = Math.Min(wanted, ClientRecordPayload - (_outLength - _recordStart - RecordHeader));
        var span = _out.AsSpan(_outLength, take);
        _outLength += take;
        return span;
    }

    private void CloseRecord()
    {
        if (_recordStart < 0)
        {
            return;
        }

        var header = _out.AsSpan(_recordStart, RecordHeader);
        header[0] = 0x17;
        header[1] = 0x03;
        header[2] = 0x03;
        BinaryPrimitives.WriteUInt16BigEndian(header[3..], (ushort)(_outLength - _recordStart - RecordHeader));
        _recordStart = -1;
    }

    private static int ReadRecordHeader(ReadOnlySpan<byte> header)
    {
        var length = BinaryPrimitives.ReadUInt16BigEndian(header[3..]);
        if (header[0] != 0x17 || header[1] != 0x03 || header[2] != 0x03 || length > MaxServerRecordPayload)
        {
            throw new InvalidDataException($"the proxy sent a bad record header {Convert.ToHexString(header)}");
        }

        return length;
    }
}
