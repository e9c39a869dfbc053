namespace Gozar.FakeDc.Messages;

/// <summary>
/// The server's side of one client session (auth key + session_id): msg_ids that grow with time and stay unique
/// (responses ≡ 1 mod 4, other server messages ≡ 3 mod 4), and seq_no (2 × content messages sent, +1 when the
/// message itself is content-related).
/// </summary>
public sealed class ServerSession
{
    private readonly Lock _gate = new();
    private long _lastMsgId;
    private int _contentMessages;
    private int _announced;

    /// <summary>True once: the first accepted message of a session gets new_session_created.</summary>
    public bool TryAnnounce() => Interlocked.Exchange(ref _announced, 1) == 0;

    public (long MsgId, int SeqNo) Next(DateTimeOffset now, bool contentRelated, bool response)
    {
        lock (_gate)
        {
            var msgId = ServerMsgId.From(now, response);
            if (msgId <= _lastMsgId)
            {
                msgId = ((_lastMsgId + 4) & ~3L) | (response ? 1L : 3L);
            }

            _lastMsgId = msgId;
            var seqNo = contentRelated ? (_contentMessages++ * 2) + 1 : _contentMessages * 2;
            return (msgId, seqNo);
        }
    }
}

/// <summary>msg_id = unix time in the upper 32 bits, the fraction of the second below, the low two bits by kind.</summary>
public static class ServerMsgId
{
    public static long From(DateTimeOffset now, bool response)
    {
        var seconds = now.ToUnixTimeSeconds();
        var fraction = (long)((now - DateTimeOffset.FromUnixTimeSeconds(seconds)).Ticks * (1L << 32) / TimeSpan.TicksPerSecond);
        return (seconds << 32) | (fraction & ~3L) | (response ? 1L : 3L);
    }
}
