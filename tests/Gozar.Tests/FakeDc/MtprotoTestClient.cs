using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Numerics;
using System.Security.Cryptography;
using Gozar.FakeDc.Crypto;
using Gozar.FakeDc.Handshake;
using Gozar.FakeDc.Messages;
using Gozar.FakeDc.Tl;
using Gozar.Protocol.Crypto;
using Gozar.Protocol.Framing;
using Gozar.Protocol.Obfuscation;

namespace Gozar.Tests.FakeDc;

/// <summary>How a test client spoils its key exchange, to see the fake DC refuse it.</summary>
public enum Tamper
{
    None,
    WrongServerNonce,
    UnknownFingerprint,
    WrongP,
    BadClientDhHash,
}

/// <summary>
/// A minimal MTProto client in C#, straight to the fake DC (obfuscated2 without secret): the key exchange with
/// either RSA scheme and encrypted messages. It exercises the DC's refusals; agreement with the protocol is what
/// the Telethon and GramJS tests prove.
/// </summary>
internal sealed class MtprotoTestClient : IAsyncDisposable
{
    public const int TransportErrorNotFound = -404;
    private static readonly TimeSpan ReceiveTimeout = TimeSpan.FromSeconds(10);

    private readonly Socket _socket;
    private readonly AesCtr _encryptor;
    private readonly AesCtr _decryptor;
    private readonly ProtocolTag _tag;
    private byte[] _buffer = new byte[64 * 1024];
    private int _filled;
    private long _lastMsgId;

    private MtprotoTestClient(Socket socket, ClientStreams streams, ProtocolTag tag)
    {
        _socket = socket;
        _encryptor = streams.Encryptor;
        _decryptor = streams.Decryptor;
        _tag = tag;
    }

    public static async Task<MtprotoTestClient> ConnectAsync(int port, ProtocolTag tag = ProtocolTag.Intermediate)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        var random = new byte[Obfuscated2.InitLength];
        do
        {
            RandomNumberGenerator.Fill(random);
        }
        while (!Obfuscated2.IsAllowedUpstreamInit(random));

        var wire = new byte[Obfuscated2.InitLength];
        var streams = Obfuscated2.CreateInit(random, ReadOnlySpan<byte>.Empty, tag, 2, wire);
        await socket.SendAsync(wire);
        return new MtprotoTestClient(socket, streams, tag);
    }

    /// <summary>Bytes of random transport padding after every packet (padded intermediate; tdlib and mtcute send 0..15).</summary>
    public int Padding { get; set; }

    public async Task SendPacketAsync(byte[] packet)
    {
        var padding = System.Security.Cryptography.RandomNumberGenerator.GetBytes(Padding);
        var frame = new byte[FrameEncoder.MaxHeaderLength + packet.Length + padding.Length];
        var length = FrameEncoder.WriteFrame(_tag, FrameDirection.ClientToServer, packet, padding, quickAck: false, frame);
        _encryptor.Transform(frame.AsSpan(0, length));
        await _socket.SendAsync(frame.AsMemory(0, length));
    }

    /// <summary>The next packet from the DC, or null when it closed the connection.</summary>
    /// <param name="timeout">How long to wait for it; ten seconds when null, <see cref="Timeout.InfiniteTimeSpan"/> for no limit.</param>
    public async Task<byte[]?> ReceivePacketAsync(TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? ReceiveTimeout);
        while (true)
        {
            var frame = FrameDecoder.Decode(_tag, FrameDirection.ServerToClient, _buffer.AsSpan(0, _filled));
            if (frame.Status == FrameStatus.Frame)
            {
                var packet = _buffer.AsSpan(frame.HeaderLength, frame.PacketLength).ToArray();
                _buffer.AsSpan(frame.FrameLength, _filled - frame.FrameLength).CopyTo(_buffer);
                _filled -= frame.FrameLength;
                return packet;
            }

            Assert.Equal(FrameStatus.NeedMore, frame.Status);
            if (frame.FrameLength > _buffer.Length)
            {
                Array.Resize(ref _buffer, frame.FrameLength * 2);
            }

            var read = await _socket.ReceiveAsync(_buffer.AsMemory(_filled), deadline.Token);
            if (read == 0)
            {
                return null;
            }

            _decryptor.Transform(_buffer.AsSpan(_filled, read));
            _filled += read;
        }
    }

    /// <summary>Sends an unencrypted message and returns the body of the answer, or null for -404 or a close.</summary>
    public async Task<byte[]?> CallPlainAsync(byte[] body)
    {
        await SendPacketAsync(new TlWriter().Int64(0).Int64(NextMsgId()).Int32(body.Length).Raw(body).ToArray());
        var packet = await ReceivePacketAsync();
        if (packet is null || packet.Length == 4)
        {
            return null;
        }

        Assert.Equal(0, BinaryPrimitives.ReadInt64LittleEndian(packet));
        return packet[20..];
    }

    /// <summary>The whole key exchange as a client; null when the DC refused a step.</summary>
    public async Task<AuthKey?> ExchangeKeysAsync(DcRsaKey key, RsaScheme scheme, Tamper tamper = Tamper.None)
    {
        var nonce = RandomNumberGenerator.GetBytes(16);
        var resPq = await CallPlainAsync(new TlWriter().UInt32(TlIds.ReqPqMulti).Raw(nonce).ToArray());
        Assert.NotNull(resPq);
        var reader = new TlReader(resPq);
        Assert.Equal(TlIds.ResPq, reader.ReadConstructor());
        Assert.Equal(nonce, reader.ReadRaw(16).ToArray());
        var serverNonce = reader.ReadRaw(16).ToArray();
        var pqBytes = reader.ReadBytes().ToArray();
        var fingerprints = new List<long>();
        for (var count = reader.ReadVectorHeader(); count > 0; count--)
        {
            fingerprints.Add(reader.ReadInt64());
        }

        Assert.Contains(key.Fingerprint, fingerprints);
        var (p, q) = Factor(BinaryPrimitives.ReadUInt64BigEndian(pqBytes));
        var newNonce = RandomNumberGenerator.GetBytes(32);
        var inner = new TlWriter()
            .UInt32(TlIds.PqInnerDataDc)
            .Bytes(pqBytes)
            .Bytes(BigEndian.ToMinimalBytes(p))
            .Bytes(BigEndian.ToMinimalBytes(q))
            .Raw(nonce)
            .Raw(serverNonce)
            .Raw(newNonce)
            .Int32(2)
            .ToArray();
        var encrypted = scheme == RsaScheme.RsaPad ? EncryptRsaPad(key, inner) : EncryptSha1Padding(key, inner);

        var reqDh = new TlWriter()
            .UInt32(TlIds.ReqDhParams)
            .Raw(nonce)
            .Raw(tamper == Tamper.WrongServerNonce ? RandomNumberGenerator.GetBytes(16) : serverNonce)
            .Bytes(BigEndian.ToMinimalBytes(tamper == Tamper.WrongP ? p + 2 : p))
            .Bytes(BigEndian.ToMinimalBytes(q))
            .Int64(tamper == Tamper.UnknownFingerprint ? ~key.Fingerprint : key.Fingerprint)
            .Bytes(encrypted)
            .ToArray();
        var serverDh = await CallPlainAsync(reqDh);
        if (serverDh is null)
        {
            return null;
        }

        reader = new TlReader(serverDh);
        Assert.Equal(TlIds.ServerDhParamsOk, reader.ReadConstructor());
        reader.ReadRaw(32);
        var (tmpKey, tmpIv) = KeyExchange.DeriveTemporaryKey(serverNonce, newNonce);
        var answer = AesIge.Decrypt(tmpKey, tmpIv, reader.ReadBytes());
        var innerReader = new TlReader(answer.AsSpan(20));
        Assert.Equal(TlIds.ServerDhInnerData, innerReader.ReadConstructor());
        Assert.Equal(nonce, innerReader.ReadRaw(16).ToArray());
        Assert.Equal(serverNonce, innerReader.ReadRaw(16).ToArray());
        var g = innerReader.ReadInt32();
        Assert.Equal(DhGroup.PrimeBytes, innerReader.ReadBytes().ToArray());
        var ga = BigEndian.ToInteger(innerReader.ReadBytes());
        innerReader.ReadInt32();
        Assert.Equal(SHA1.HashData(answer.AsSpan(20, innerReader.Position)), answer[..20]);
        Assert.True(DhGroup.IsAcceptablePublicValue(ga));

        BigInteger b, gb;
        do
        {
            b = BigEndian.ToInteger(RandomNumberGenerator.GetBytes(64));
            gb = BigInteger.ModPow(g, b, DhGroup.Prime);
        }
        while (!DhGroup.IsAcceptablePublicValue(gb));

        var clientInner = new TlWriter()
            .UInt32(TlIds.ClientDhInnerData)
            .Raw(nonce)
            .Raw(serverNonce)
            .Int64(0)
            .Bytes(BigEndian.ToMinimalBytes(gb))
            .ToArray();
        var hash = SHA1.HashData(clientInner);
        if (tamper == Tamper.BadClientDhHash)
        {
            hash[0] ^= 1;
        }

        var plain = new byte[(20 + clientInner.Length + 15) / 16 * 16];
        hash.CopyTo(plain, 0);
        clientInner.CopyTo(plain, 20);
        var setDh = new TlWriter()
            .UInt32(TlIds.SetClientDhParams)
            .Raw(nonce)
            .Raw(serverNonce)
            .Bytes(AesIge.Encrypt(tmpKey, tmpIv, plain))
            .ToArray();
        var dhGen = await CallPlainAsync(setDh);
        if (dhGen is null)
        {
            return null;
        }

        var salt = BinaryPrimitives.ReadInt64LittleEndian(newNonce) ^ BinaryPrimitives.ReadInt64LittleEndian(serverNonce);
        var authKey = new AuthKey(AuthKey.FromSharedSecret(BigInteger.ModPow(ga, b, DhGroup.Prime), stripLeadingZeros: true), salt);
        reader = new TlReader(dhGen);
        Assert.Equal(TlIds.DhGenOk, reader.ReadConstructor());
        reader.ReadRaw(32);
        Assert.Equal(KeyExchange.NewNonceHash(newNonce, authKey, 1), reader.ReadRaw(16).ToArray());
        return authKey;
    }

    /// <summary>Sends one encrypted message; returns its msg_id.</summary>
    public async Task<long> SendEncryptedAsync(AuthKey key, long salt, long sessionId, byte[] body, bool contentRelated = true, long? msgId = null)
    {
        var id = msgId ?? NextMsgId();
        var plain = new TlWriter().Int64(salt).Int64(sessionId).Int64(id).Int32(contentRelated ? 1 : 0).Int32(body.Length).Raw(body);
        await SendPacketAsync(MessageCipher.Encrypt(key, plain.Written, fromClient: true));
        return id;
    }

    /// <summary>
    /// The messages of the next encrypted packet as (msg_id, body), a container opened; null for -404 or a close.
    /// </summary>
    public async Task<List<(long MsgId, byte[] Body)>?> ReceiveEncryptedAsync(AuthKey key, long sessionId)
    {
        var packet = await ReceivePacketAsync();
        if (packet is null || packet.Length == 4)
        {
            return null;
        }

        var plain = MessageCipher.TryDecrypt(key, packet, fromClient: false, out var problem);
        Assert.True(plain is not null, problem);
        Assert.Equal(key.ServerSalt, BinaryPrimitives.ReadInt64LittleEndian(plain));
        Assert.Equal(sessionId, BinaryPrimitives.ReadInt64LittleEndian(plain.AsSpan(MessageCipher.SessionIdOffset)));
        var msgId = BinaryPrimitives.ReadInt64LittleEndian(plain.AsSpan(MessageCipher.MsgIdOffset));
        Assert.Equal(1, msgId & 1);
        var length = BinaryPrimitives.ReadInt32LittleEndian(plain.AsSpan(MessageCipher.LengthOffset));
        var body = plain.AsSpan(MessageCipher.PlainHeaderLength, length).ToArray();
        if (BinaryPrimitives.ReadUInt32LittleEndian(body) != TlIds.MsgContainer)
        {
            return [(msgId, body)];
        }

        var reader = new TlReader(body);
        reader.ReadConstructor();
        var messages = new List<(long, byte[])>();
        for (var count = reader.ReadInt32(); count > 0; count--)
        {
            var innerId = reader.ReadInt64();
            Assert.True(innerId < msgId, "a container's msg_id is above those it holds");
            reader.ReadInt32();
            messages.Add((innerId, reader.ReadRaw(reader.ReadInt32()).ToArray()));
        }

        return messages;
    }

    public long NextMsgId()
    {
        var msgId = ServerMsgId.From(DateTimeOffset.UtcNow, response: true) & ~3L;
        _lastMsgId = Math.Max(msgId, _lastMsgId + 4);
        return _lastMsgId;
    }

    private static byte[] EncryptSha1Padding(DcRsaKey key, byte[] inner)
    {
        var data = new byte[255];
        SHA1.HashData(inner, data);
        inner.CopyTo(data, 20);
        RandomNumberGenerator.Fill(data.AsSpan(20 + inner.Length));
        return key.EncryptRaw(data);
    }

    private static byte[] EncryptRsaPad(DcRsaKey key, byte[] inner)
    {
        while (true)
        {
            var dataWithPadding = new byte[192];
            inner.CopyTo(dataWithPadding, 0);
            RandomNumberGenerator.Fill(dataWithPadding.AsSpan(inner.Length));
            var tempKey = RandomNumberGenerator.GetBytes(32);
            byte[] reversed = [.. dataWithPadding];
            reversed.AsSpan().Reverse();
            byte[] withHash = [.. reversed, .. SHA256.HashData([.. tempKey, .. dataWithPadding])];
            var aesEncrypted = AesIge.Encrypt(tempKey, new byte[32], withHash);
            var mask = SHA256.HashData(aesEncrypted);
            for (var i = 0; i < 32; i++)
            {
                tempKey[i] ^= mask[i];
            }

            byte[] block = [.. tempKey, .. aesEncrypted];
            if (BigEndian.ToInteger(block) < key.Modulus)
            {
                return key.EncryptRaw(block);
            }
        }
    }

    /// <summary>Pollard's rho with Floyd's cycle finding for the two 31-bit primes of pq.</summary>
    private static (ulong P, ulong Q) Factor(ulong pq)
    {
        for (ulong c = 1; ; c++)
        {
            ulong x = 2, y = 2, d = 1;
            while (d == 1)
            {
                x = (ulong)((((UInt128)x * x) + c) % pq);
                y = (ulong)((((UInt128)y * y) + c) % pq);
                y = (ulong)((((UInt128)y * y) + c) % pq);
                d = (ulong)BigInteger.GreatestCommonDivisor(x > y ? x - y : y - x, pq);
            }

            if (d != pq)
            {
                var other = pq / d;
                return d < other ? (d, other) : (other, d);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _socket.Dispose();
        _encryptor.Dispose();
        _decryptor.Dispose();
        await Task.CompletedTask;
    }
}
