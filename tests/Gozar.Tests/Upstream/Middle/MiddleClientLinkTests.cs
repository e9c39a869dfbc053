using System.Buffers;
using Gozar.Upstream.Middle;

namespace Gozar.Tests.Upstream.Middle;

public class MiddleClientLinkTests
{
    private const int Budget = 64 * 1024;

    [Fact]
    public void TryEnqueuePacket_LargerThanTheBudgetWithNothingQueued_IsQueued()
    {
        var link = new MiddleClientLink(1, Budget, ArrayPool<byte>.Shared);
        var packet = Packet(Budget * 2);

        Assert.Equal(MiddleEnqueue.Queued, link.TryEnqueuePacket(packet));

        Assert.True(link.Answers.TryRead(out var answer));
        Assert.Equal(MiddleAnswerKind.Packet, answer.Kind);
        Assert.Equal(packet, answer.Buffer.AsSpan(MiddleClientLink.PacketOffset, answer.Length).ToArray());
        link.Take(answer);
        link.Release(answer);
    }

    [Fact]
    public void TryEnqueuePacket_WhileAnAnswerLargerThanTheBudgetIsWritten_IsQueued()
    {
        var link = new MiddleClientLink(1, Budget, ArrayPool<byte>.Shared);
        Assert.Equal(MiddleEnqueue.Queued, link.TryEnqueuePacket(Packet(Budget * 2)));
        Assert.True(link.Answers.TryRead(out var writing));
        link.Take(writing);

        Assert.Equal(MiddleEnqueue.Queued, link.TryEnqueuePacket(Packet(64)));
        Assert.Equal(MiddleEnqueue.Queued, link.TryEnqueuePacket(Packet(Budget - 64)));
        Assert.Equal(MiddleEnqueue.Overflow, link.TryEnqueuePacket(Packet(1)));
        link.Release(writing);
    }

    [Fact]
    public void TryEnqueuePacket_BacklogPastTheBudget_OverflowEndsTheLinkAfterWhatWasQueued()
    {
        var link = new MiddleClientLink(1, Budget, ArrayPool<byte>.Shared);

        Assert.Equal(MiddleEnqueue.Queued, link.TryEnqueuePacket(Packet(Budget / 2)));
        Assert.Equal(MiddleEnqueue.Overflow, link.TryEnqueuePacket(Packet(Budget)));

        Assert.True(link.Answers.TryRead(out var first));
        Assert.Equal(MiddleAnswerKind.Packet, first.Kind);
        link.Take(first);
        link.Release(first);
        Assert.True(link.Answers.TryRead(out var end));
        Assert.Equal(MiddleAnswerKind.Overflow, end.Kind);
        Assert.True(link.Answers.Completion.IsCompleted);
    }

    [Fact]
    public void TryEnqueuePacket_AfterTheWriterTookFromTheBacklog_FitsAgain()
    {
        var link = new MiddleClientLink(1, Budget, ArrayPool<byte>.Shared);
        Assert.Equal(MiddleEnqueue.Queued, link.TryEnqueuePacket(Packet(Budget / 2)));
        Assert.Equal(MiddleEnqueue.Queued, link.TryEnqueuePacket(Packet(Budget / 2)));
        Assert.True(link.Answers.TryRead(out var first));
        link.Take(first);

        Assert.Equal(MiddleEnqueue.Queued, link.TryEnqueuePacket(Packet(Budget / 2)));
        link.Release(first);
    }

    private static byte[] Packet(int length)
    {
        var packet = new byte[length];
        for (var i = 0; i < packet.Length; i++)
        {
            packet[i] = (byte)(i * 7);
        }

        return packet;
    }
}
