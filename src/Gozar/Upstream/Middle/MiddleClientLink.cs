using System.Buffers;
using System.Threading.Channels;

namespace Gozar.Upstream.Middle;

/// <summary>What the ME connection hands one client, in arrival order (spec §7.5 "Order on RPC_CLOSE_EXT").</summary>
public enum MiddleAnswerKind
{
    /// <summary>An RPC_PROXY_ANS packet, at <see cref="MiddleClientLink.PacketOffset"/> of the buffer.</summary>
    Packet,

    /// <summary>An RPC_SIMPLE_ACK token.</summary>
    QuickAck,

    /// <summary>RPC_CLOSE_EXT: everything before it is written, then the client is closed.</summary>
    Close,

    /// <summary>The ME connection failed.</summary>
    Lost,

    /// <summary>The client read too slowly and its queue passed upstream.middle.client_buffer.</summary>
    Overflow,
}

public enum MiddleEnqueue
{
    Queued,

    /// <summary>The client is over upstream.middle.client_buffer; its link has ended.</summary>
    Overflow,

    /// <summary>The link accepts nothing more: its client is leaving.</summary>
    Gone,
}

public readonly record struct MiddleAnswer(MiddleAnswerKind Kind, byte[]? Buffer, int Length, uint Token);

/// <summary>
/// One client's place on an ME connection: its conn_id and the queue of answers the connection's reader fills and the
/// client's writer empties. The queue is bounded in bytes so a slow client never makes the reader wait, which would
/// stall every other client on the connection: past the bound the client is closed.
/// </summary>
public sealed class MiddleClientLink
{
    /// <summary>Room before a packet for the client's frame header (up to 4) and a TLS record header (5).</summary>
    public const int PacketOffset = 9;

    /// <summary>Room after a packet for padded-intermediate padding (0..3).</summary>
    public const int PacketSlack = 3;

    private readonly Channel<MiddleAnswer> _answers =
        Channel.CreateUnbounded<MiddleAnswer>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = false });

    private readonly ArrayPool<byte> _pool;
    private readonly int _budget;
    private long _queuedBytes;

    public MiddleClientLink(long connId, int budget, ArrayPool<byte> pool)
    {
        ConnId = connId;
        _budget = budget;
        _pool = pool;
    }

    public long ConnId { get; }

    public ChannelReader<MiddleAnswer> Answers => _answers.Reader;

    /// <summary>
    /// Copies an answer packet into the queue. The budget bounds the backlog waiting behind the answer being written
    /// (see <see cref="Take"/>): an answer to a client with nothing waiting is queued whatever its size (one ME frame, at
    /// most 16 MiB), so a budget below the largest answer does not close a client that keeps up.
    /// </summary>
    internal MiddleEnqueue TryEnqueuePacket(ReadOnlySpan<byte> packet)
    {
        var queued = Interlocked.Add(ref _queuedBytes, packet.Length);
        if (queued > _budget && queued != packet.Length)
        {
            Interlocked.Add(ref _queuedBytes, -packet.Length);
            End(MiddleAnswerKind.Overflow);
            return MiddleEnqueue.Overflow;
        }

        var buffer = _pool.Rent(PacketOffset + packet.Length + PacketSlack);
        packet.CopyTo(buffer.AsSpan(PacketOffset));
        if (_answers.Writer.TryWrite(new MiddleAnswer(MiddleAnswerKind.Packet, buffer, packet.Length, 0)))
        {
            return MiddleEnqueue.Queued;
        }

        Interlocked.Add(ref _queuedBytes, -packet.Length);
        _pool.Return(buffer);
        return MiddleEnqueue.Gone;
    }

    internal bool TryEnqueueQuickAck(uint token) => _answers.Writer.TryWrite(new MiddleAnswer(MiddleAnswerKind.QuickAck, null, 0, token));

    /// <summary>Queues the end (after every answer already queued) and accepts nothing more.</summary>
    internal void End(MiddleAnswerKind why)
    {
        if (_answers.Writer.TryWrite(new MiddleAnswer(why, null, 0, 0)))
        {
            _answers.Writer.TryComplete();
        }
    }

    /// <summary>The client's writer starts on an answer it read: it no longer waits, so it leaves the budget.</summary>
    public void Take(in MiddleAnswer answer)
    {
        if (answer.Buffer is not null)
        {
            Interlocked.Add(ref _queuedBytes, -answer.Length);
        }
    }

    /// <summary>The client's writer is done with an answer it took: its buffer goes back to the pool.</summary>
    public void Release(in MiddleAnswer answer)
    {
        if (answer.Buffer is not null)
        {
            _pool.Return(answer.Buffer);
        }
    }

    /// <summary>Accepts nothing more; the reader ends after what is queued.</summary>
    public void Stop() => _answers.Writer.TryComplete();

    /// <summary>Once the client's writer is done: stop accepting and give back the buffers of answers never written.</summary>
    public void Discard()
    {
        _answers.Writer.TryComplete();
        while (_answers.Reader.TryRead(out var answer))
        {
            Take(answer);
            Release(answer);
        }
    }
}
