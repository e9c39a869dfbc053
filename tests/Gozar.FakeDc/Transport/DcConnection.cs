using System.Buffers.Binary;
using System.Net.Sockets;
using System.Security.Cryptography;
using Gozar.FakeDc.Crypto;
using Gozar.FakeDc.Handshake;
using Gozar.FakeDc.Messages;
using Gozar.FakeDc.Rpc;
using Gozar.FakeDc.Tl;
using Gozar.Protocol.Crypto;
using Gozar.Protocol.Framing;
using Gozar.Protocol.Obfuscation;

namespace Gozar.FakeDc.Transport;

/// <summary>
/// One connection as a DC sees a direct-mode proxy's: an obfuscated2 init without secret (spec §4.2), then
/// abridged, intermediate or padded intermediate frames each way. Unencrypted packets go to the key exchange,
/// encrypted ones to <see cref="EncryptedChannel"/>. A refused packet is answered with transport error -404 and the
/// connection is closed, as Telegram's DCs do.
/// </summary>
internal sealed class DcConnection
{
    private const int InitialBuffer = 64 * 1024;
    private const int TransportErrorNotFound = -404;
    private const int PlainLengthOffset = 16;
    private const int PlainHeaderLength = 20;

    // Client padding is at most 15 bytes, of which n & ~3 leaves at most 12 in the packet.
    private const int MaxClientPaddingLeft = 12;

    // A proxy that leaves the DC index out of its init (spec §4.2, mtprotoproxy) lands on DC 2's address.
    private const int DcWhenUnnamed = 2;

    private readonly Socket _socket;
    private readonly FakeTelegramDc _dc;
    private byte[] _buffer = new byte[InitialBuffer];
    private int _filled;
    private ProtocolTag _tag;
    private AesCtr? _encryptor;
    private long _lastPlainMsgId;

    /// <summary>Set when the key exchange stopped at a foreign key: the DC closes without an answer.</summary>
    private bool _stopped;

    public DcConnection(Socket socket, FakeTelegramDc dc)
    {
        _socket = socket;
        _dc = dc;
    }

    public async Task RunAsync(CancellationToken cancellation)
    {
        using (_socket)
        {
            if (!await FillAsync(Obfuscated2.InitLength, cancellation).ConfigureAwait(false))
            {
                return;
            }

            if (!Obfuscated2.TryAcceptUnkeyed(_buffer.AsSpan(0, Obfuscated2.InitLength), out var init))
            {
                _dc.Events.Problem("the first 64 bytes are not an obfuscated2 init without secret");
                return;
            }

            using var decryptor = init.Decryptor;
            using var encryptor = init.Encryptor;
            _encryptor = encryptor;
            _tag = init.Tag;
            _dc.Events.Connected(init.Tag, init.DcId);
            var keyExchange = new KeyExchange(_dc.RsaKey, _dc.Options.ForeignKeyFingerprints, _dc.Options.StripAuthKeyLeadingZeros, _dc.Time);
            var api = new ApiHandler(_dc.Files, _dc.Events, init.DcId == 0 ? DcWhenUnnamed : Math.Abs((int)init.DcId), _dc.Port, _dc.Time);
            var channel = new EncryptedChannel(_dc.AuthKeys, _dc.Sessions, api, _dc.Events, _dc.Time);

            Consume(Obfuscated2.InitLength);
            decryptor.Transform(_buffer.AsSpan(0, _filled));
            while (true)
            {
                var frame = FrameDecoder.Decode(_tag, FrameDirection.ClientToServer, _buffer.AsSpan(0, _filled));
                if (frame.Status == FrameStatus.Invalid)
                {
                    _dc.Events.Problem($"invalid {_tag} frame header");
                    return;
                }

                if (frame.Status == FrameStatus.NeedMore)
                {
                    var before = _filled;
                    if (!await FillAsync(frame.FrameLength, cancellation).ConfigureAwait(false))
                    {
                        return;
                    }

                    decryptor.Transform(_buffer.AsSpan(before, _filled - before));
                    continue;
                }

                var packet = WithoutTrailingPadding(_buffer.AsSpan(frame.HeaderLength, frame.PacketLength)).ToArray();
                Consume(frame.FrameLength);
                var replies = packet.Length >= 8 && MessageCipher.ReadAuthKeyId(packet) == 0
                    ? HandlePlain(packet, keyExchange)
                    : packet.Length > MessageCipher.PacketHeaderLength ? channel.Handle(packet) : null;
                if (_stopped)
                {
                    return;
                }

                if (replies is null)
                {
                    var error = new byte[4];
                    BinaryPrimitives.WriteInt32LittleEndian(error, TransportErrorNotFound);
                    await SendAsync([error], cancellation).ConfigureAwait(false);
                    return;
                }

                await SendAsync(replies, cancellation).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Spec §3.3: clients pad padded intermediate with 0..15 bytes (tdlib, mtcute) and the frame decoder keeps
    /// <c>n &amp; ~3</c>, so up to 12 junk bytes may follow the packet; Telegram's DCs ignore them. An unencrypted packet
    /// ends where its length field says, an encrypted one at its last whole AES block.
    /// </summary>
    private ReadOnlySpan<byte> WithoutTrailingPadding(ReadOnlySpan<byte> packet)
    {
        if (_tag != ProtocolTag.PaddedIntermediate || packet.Length < PlainHeaderLength)
        {
            return packet;
        }

        if (MessageCipher.ReadAuthKeyId(packet) != 0)
        {
            return packet[..(MessageCipher.PacketHeaderLength + ((packet.Length - MessageCipher.PacketHeaderLength) & ~(AesIge.BlockSize - 1)))];
        }

        var declared = BinaryPrimitives.ReadInt32LittleEndian(packet[PlainLengthOffset..]);
        var junk = packet.Length - PlainHeaderLength - declared;
        return declared >= 0 && junk is > 0 and <= MaxClientPaddingLeft ? packet[..(PlainHeaderLength + declared)] : packet;
    }

    private List<byte[]>? HandlePlain(byte[] packet, KeyExchange keyExchange)
    {
        if (packet.Length < PlainHeaderLength
            || BinaryPrimitives.ReadInt32LittleEndian(packet.AsSpan(PlainLengthOffset)) != packet.Length - PlainHeaderLength)
        {
            _dc.Events.Problem($"unencrypted packet of {packet.Length} bytes with a wrong length field");
            return null;
        }

        // msg_id is not checked: TDLib sends every key exchange message with msg_id 0, and Telegram's DCs take them.
        var step = keyExchange.Handle(packet.AsSpan(PlainHeaderLength));
        if (step.Problem is not null)
        {
            _dc.Events.Problem(step.Problem);
            return null;
        }

        if (step.ForeignKey is { } foreign)
        {
            _dc.Events.ForeignKeyRequest(foreign);
            _stopped = true;
            return null;
        }

        if (step.Completed is { } key)
        {
            _dc.AuthKeys[key.Id] = key;
            _dc.Events.KeyCreated(keyExchange.Scheme, key.Id, key.Key.Length);
        }

        var msgId = Math.Max(ServerMsgId.From(_dc.Time.GetUtcNow(), response: true), _lastPlainMsgId + 4);
        _lastPlainMsgId = msgId;
        var response = step.Response!;
        return [new TlWriter().Int64(0).Int64(msgId).Int32(response.Length).Raw(response).ToArray()];
    }

    private async Task SendAsync(List<byte[]> packets, CancellationToken cancellation)
    {
        foreach (var packet in packets)
        {
            // Padded intermediate servers pad 0..3 bytes (spec §3.3); the client keeps length & ~3.
            var padding = _tag == ProtocolTag.PaddedIntermediate
                ? RandomNumberGenerator.GetBytes(RandomNumberGenerator.GetInt32(FrameEncoder.MaxServerPadding + 1))
                : [];
            var frame = new byte[FrameEncoder.MaxHeaderLength + packet.Length + padding.Length];
            var length = FrameEncoder.WriteFrame(_tag, FrameDirection.ServerToClient, packet, padding, quickAck: false, frame);
            _encryptor!.Transform(frame.AsSpan(0, length));
            await _socket.SendAsync(frame.AsMemory(0, length), cancellation).ConfigureAwait(false);
        }
    }

    /// <summary>Reads until at least <paramref name="needed"/> bytes are buffered; false at end of stream.</summary>
    private async Task<bool> FillAsync(int needed, CancellationToken cancellation)
    {
        if (needed > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(needed, _buffer.Length * 2));
        }

        while (_filled < needed)
        {
            var read = await _socket.ReceiveAsync(_buffer.AsMemory(_filled), cancellation).ConfigureAwait(false);
            if (read == 0)
            {
                return false;
            }

            _filled += read;
        }

        return true;
    }

    private void Consume(int count)
    {
        _buffer.AsSpan(count, _filled - count).CopyTo(_buffer);
        _filled -= count;
    }
}
