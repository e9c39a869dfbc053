using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.IO.Compression;
using System.Security.Cryptography;
using Gozar.FakeDc.Rpc;
using Gozar.FakeDc.Tl;

namespace Gozar.FakeDc.Messages;

/// <summary>
/// The encrypted half of a connection: decrypts a client packet, applies a real DC's checks (known key, msg_key,
/// msg_id parity and time window, server salt), announces new sessions, opens containers and gzip, answers pings and
/// API calls, and encrypts the answers, several of them in one msg_container.
/// </summary>
internal sealed class EncryptedChannel
{
    private const int MsgIdTooLow = 16;
    private const int MsgIdTooHigh = 17;
    private const int MsgIdBadLowBits = 18;
    private const int BadSalt = 48;
    private const int MaxFutureSalts = 64;
    private const int FutureSaltSeconds = 60 * 60;
    private static readonly TimeSpan MaxPast = TimeSpan.FromSeconds(300);
    private static readonly TimeSpan MaxFuture = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<long, AuthKey> _keys;
    private readonly ConcurrentDictionary<(long KeyId, long SessionId), ServerSession> _sessions;
    private readonly ApiHandler _api;
    private readonly DcEvents _events;
    private readonly TimeProvider _time;

    public EncryptedChannel(
        ConcurrentDictionary<long, AuthKey> keys,
        ConcurrentDictionary<(long KeyId, long SessionId), ServerSession> sessions,
        ApiHandler api,
        DcEvents events,
        TimeProvider time)
    {
        _keys = keys;
        _sessions = sessions;
        _api = api;
        _events = events;
        _time = time;
    }

    /// <summary>The encrypted packets to send back, or null when the DC must answer -404 and close.</summary>
    public List<byte[]>? Handle(ReadOnlySpan<byte> packet)
    {
        var keyId = MessageCipher.ReadAuthKeyId(packet);
        if (!_keys.TryGetValue(keyId, out var key))
        {
            _events.Problem($"unknown auth_key_id {keyId:x16}");
            return null;
        }

        var plaintext = MessageCipher.TryDecrypt(key, packet, fromClient: true, out var problem);
        if (plaintext is null)
        {
            _events.Problem("encrypted message: " + problem);
            return null;
        }

        var header = plaintext.AsSpan();
        var salt = BinaryPrimitives.ReadInt64LittleEndian(header[MessageCipher.SaltOffset..]);
        var sessionId = BinaryPrimitives.ReadInt64LittleEndian(header[MessageCipher.SessionIdOffset..]);
        var msgId = BinaryPrimitives.ReadInt64LittleEndian(header[MessageCipher.MsgIdOffset..]);
        var seqNo = BinaryPrimitives.ReadInt32LittleEndian(header[MessageCipher.SeqNoOffset..]);
        var length = BinaryPrimitives.ReadInt32LittleEndian(header[MessageCipher.LengthOffset..]);
        var body = plaintext.AsSpan(MessageCipher.PlainHeaderLength, length);

        var session = _sessions.GetOrAdd((keyId, sessionId), _ => new ServerSession());
        var replies = new Replies(session, _time);

        var badMsgId = CheckMsgId(msgId);
        if (badMsgId != 0)
        {
            _events.Problem($"msg_id {msgId:x16}: bad_msg_notification {badMsgId}");
            replies.Add(new TlWriter().UInt32(TlIds.BadMsgNotification).Int64(msgId).Int32(seqNo).Int32(badMsgId).ToArray(), false);
        }
        else if (salt != key.ServerSalt)
        {
            _events.Handled($"salt {salt:x16}: bad_server_salt");
            replies.Add(
                new TlWriter().UInt32(TlIds.BadServerSalt).Int64(msgId).Int32(seqNo).Int32(BadSalt).Int64(key.ServerSalt).ToArray(),
                false);
        }
        else
        {
            if (session.TryAnnounce())
            {
                var uniqueId = BitConverter.ToInt64(RandomNumberGenerator.GetBytes(8));
                replies.Add(
                    new TlWriter().UInt32(TlIds.NewSessionCreated).Int64(msgId).Int64(uniqueId).Int64(key.ServerSalt).ToArray(),
                    true,
                    response: false);
            }

            Dispatch(msgId, body, key, replies);
        }

        return replies.Seal(key, sessionId);
    }

    private int CheckMsgId(long msgId)
    {
        if ((msgId & 3) != 0)
        {
            return MsgIdBadLowBits;
        }

        var sent = DateTimeOffset.FromUnixTimeSeconds(msgId >> 32);
        var now = _time.GetUtcNow();
        return sent < now - MaxPast ? MsgIdTooLow : sent > now + MaxFuture ? MsgIdTooHigh : 0;
    }

    private void Dispatch(long msgId, ReadOnlySpan<byte> body, AuthKey key, Replies replies)
    {
        var reader = new TlReader(body);
        try
        {
            switch (reader.ReadConstructor())
            {
                case TlIds.MsgContainer:
                    for (var count = reader.ReadInt32(); count > 0; count--)
                    {
                        var innerId = reader.ReadInt64();
                        reader.ReadInt32();
                        var inner = reader.ReadRaw(reader.ReadInt32());
                        Dispatch(innerId, inner, key, replies);
                    }

                    return;
                case TlIds.GzipPacked:
                    Dispatch(msgId, Gunzip(reader.ReadBytes()), key, replies);
                    return;
                case TlIds.MsgsAck:
                    return;
                case TlIds.Ping:
                case TlIds.PingDelayDisconnect:
                    replies.Add(new TlWriter().UInt32(TlIds.Pong).Int64(msgId).Int64(reader.ReadInt64()).ToArray(), true);
                    _events.Handled("ping");
                    return;
                case TlIds.GetFutureSalts:
                    // Not in an rpc_result, as Telegram's DCs answer it: the number asked for (at most 64), one an hour
                    // from now on; all the key's one salt, the only one this DC accepts.
                    var asked = Math.Clamp(reader.ReadInt32(), 1, MaxFutureSalts);
                    var now = (int)_time.GetUtcNow().ToUnixTimeSeconds();
                    var salts = new TlWriter().UInt32(TlIds.FutureSalts).Int64(msgId).Int32(now).Int32(asked);
                    for (var i = 0; i < asked; i++)
                    {
                        salts.Int32(now + (i * FutureSaltSeconds)).Int32(now + ((i + 1) * FutureSaltSeconds)).Int64(key.ServerSalt);
                    }

                    replies.Add(salts.ToArray(), true);
                    _events.Handled("get_future_salts");
                    return;
            }
        }
        catch (TlException e)
        {
            _events.Problem("unreadable service message: " + e.Message);
            return;
        }

        var result = _api.Invoke(body, key);
        replies.Add(new TlWriter().UInt32(TlIds.RpcResult).Int64(msgId).Raw(result).ToArray(), true);
    }

    private static byte[] Gunzip(ReadOnlySpan<byte> packed)
    {
        using var input = new MemoryStream(packed.ToArray());
        using var gzip = new GZipStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        gzip.CopyTo(output);
        return output.ToArray();
    }

    /// <summary>Messages for one incoming packet, sealed into one packet (in a container when there are several).</summary>
    private sealed class Replies
    {
        private readonly ServerSession _session;
        private readonly TimeProvider _time;
        private readonly List<(long MsgId, int SeqNo, byte[] Body)> _messages = [];

        public Replies(ServerSession session, TimeProvider time)
        {
            _session = session;
            _time = time;
        }

        public void Add(byte[] body, bool contentRelated, bool response = true)
        {
            var (msgId, seqNo) = _session.Next(_time.GetUtcNow(), contentRelated, response);
            _messages.Add((msgId, seqNo, body));
        }

        public List<byte[]> Seal(AuthKey key, long sessionId)
        {
            if (_messages.Count == 0)
            {
                return [];
            }

            var (msgId, seqNo, body) = _messages[0];
            if (_messages.Count > 1)
            {
                var container = new TlWriter().UInt32(TlIds.MsgContainer).Int32(_messages.Count);
                foreach (var message in _messages)
                {
                    container.Int64(message.MsgId).Int32(message.SeqNo).Int32(message.Body.Length).Raw(message.Body);
                }

                (msgId, seqNo) = _session.Next(_time.GetUtcNow(), contentRelated: false, response: false);
                body = container.ToArray();
            }

            var plain = new TlWriter()
                .Int64(key.ServerSalt)
                .Int64(sessionId)
                .Int64(msgId)
                .Int32(seqNo)
                .Int32(body.Length)
                .Raw(body);
            return [MessageCipher.Encrypt(key, plain.Written, fromClient: false)];
        }
    }
}
