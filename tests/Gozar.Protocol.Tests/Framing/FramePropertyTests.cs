using FsCheck;
using FsCheck.Fluent;
using Gozar.Protocol.Framing;

namespace Gozar.Protocol.Tests.Framing;

public class FramePropertyTests
{
    private static readonly Gen<ProtocolTag> TagGen =
        Gen.Elements(ProtocolTag.Abridged, ProtocolTag.Intermediate, ProtocolTag.PaddedIntermediate);

    private static readonly Gen<FrameDirection> DirectionGen =
        Gen.Elements(FrameDirection.ClientToServer, FrameDirection.ServerToClient);

    private static readonly Gen<byte[]> BytesGen = Gen.Choose(0, 255).Select(b => (byte)b).ArrayOf();

    /// <summary>Packet lengths around the abridged short/long boundary, plus some large ones.</summary>
    private static readonly Gen<int> PacketLengthGen = Gen.Frequency(
        (4, Gen.Choose(1, 140).Select(w => w * 4)),
        (1, Gen.Choose(1, 1 << 16).Select(w => w * 4)));

    private static readonly Gen<Item> ItemGen =
        from tag in TagGen
        from direction in DirectionGen
        from item in ItemFor(tag, direction)
        select item;

    private static readonly Gen<(ProtocolTag Tag, FrameDirection Direction, Item[] Items, int[] Cuts)> StreamGen =
        from tag in TagGen
        from direction in DirectionGen
        from items in ItemFor(tag, direction, maxLength: 600).ArrayOf()
        from cuts in Gen.Choose(0, 1 << 16).ArrayOf()
        select (tag, direction, items, cuts);

    [FsCheck.Xunit.Property]
    public Property EncodeThenDecode_AnyFrame_GivesPacketBackWholeFrameConsumed() =>
        Prop.ForAll(ItemGen.ToArbitrary(), item =>
        {
            var bytes = Encode(item);
            var frame = FrameDecoder.Decode(item.Tag, item.Direction, bytes, 0x3fffffff);

            if (item.QuickAckToken is { } token)
            {
                return frame.Status == FrameStatus.QuickAckAnswer && frame.QuickAckToken == token && frame.FrameLength == 4;
            }

            var body = item.Packet.Length + item.Padding.Length;
            var expectedPacket = item.Tag == ProtocolTag.PaddedIntermediate ? body & ~3 : body;
            return frame.Status == FrameStatus.Frame
                && frame.FrameLength == bytes.Length
                && frame.HeaderLength == FrameEncoder.GetHeaderLength(item.Tag, item.Packet.Length)
                && frame.PacketLength == expectedPacket
                && frame.QuickAck == item.QuickAck
                && bytes.AsSpan(frame.HeaderLength, item.Packet.Length).SequenceEqual(item.Packet);
        });

    [FsCheck.Xunit.Property]
    public Property Decode_TruncatedFrame_AsksForMoreThanItHas() =>
        Prop.ForAll(ItemGen.ToArbitrary(), Gen.Choose(0, int.MaxValue).ToArbitrary(), (item, cut) =>
        {
            var bytes = Encode(item);
            var available = cut % bytes.Length;
            var frame = FrameDecoder.Decode(item.Tag, item.Direction, bytes.AsSpan(0, available), 0x3fffffff);
            return frame.Status == FrameStatus.NeedMore && frame.FrameLength > available && frame.FrameLength <= bytes.Length;
        });

    [FsCheck.Xunit.Property]
    public Property Decode_RandomBytes_NeverThrowsAndProgressesOrAsks() =>
        Prop.ForAll(TagGen.ToArbitrary(), DirectionGen.ToArbitrary(), BytesGen.ToArbitrary(), (tag, direction, bytes) =>
        {
            var frame = FrameDecoder.Decode(tag, direction, bytes);
            return frame.Status switch
            {
                FrameStatus.Frame => frame.FrameLength > 0 && frame.FrameLength <= bytes.Length
                    && frame.HeaderLength + frame.PacketLength <= frame.FrameLength,
                FrameStatus.QuickAckAnswer => direction == FrameDirection.ServerToClient
                    && frame.FrameLength == 4 && bytes.Length >= 4 && (frame.QuickAckToken & 0x80000000) != 0,
                FrameStatus.NeedMore => frame.FrameLength > bytes.Length,
                FrameStatus.Invalid => frame.FrameLength == 0,
                _ => false,
            };
        });

    [FsCheck.Xunit.Property]
    public Property Decode_StreamSplitAnywhere_GivesSameFramesAsWhole() =>
        Prop.ForAll(StreamGen.ToArbitrary(), input =>
        {
            var (tag, direction, items, cuts) = input;
            var stream = items.SelectMany(Encode).ToArray();

            var whole = DecodeChunks(tag, direction, [stream]);
            var split = DecodeChunks(tag, direction, Split(stream, cuts));

            return whole.Count == items.Length
                && whole.SequenceEqual(split)
                && whole.Zip(items).All(pair => Matches(pair.First, pair.Second));
        });

    private static Gen<Item> ItemFor(ProtocolTag tag, FrameDirection direction, int maxLength = int.MaxValue)
    {
        var maxPadding = tag != ProtocolTag.PaddedIntermediate ? 0
            : direction == FrameDirection.ClientToServer ? FrameEncoder.MaxClientPadding
            : FrameEncoder.MaxServerPadding;
        var frame =
            from length in PacketLengthGen.Where(l => l <= maxLength)
            from packet in Gen.Choose(0, 255).Select(b => (byte)b).ArrayOf(length)
            from padding in Gen.Choose(0, 255).Select(b => (byte)b).ArrayOf(maxPadding + 1).Select(p => p[..(p[0] % (maxPadding + 1))])
            from quickAck in direction == FrameDirection.ClientToServer ? Gen.Elements(false, true) : Gen.Constant(false)
            select new Item(tag, direction, packet, padding, quickAck, null);
        if (direction == FrameDirection.ClientToServer)
        {
            return frame;
        }

        var answer =
            from token in Gen.Choose(int.MinValue, int.MaxValue)
            select new Item(tag, direction, [], [], false, (uint)token | 0x80000000);
        return Gen.Frequency((4, frame), (1, answer));
    }

    private static byte[] Encode(Item item)
    {
        var bytes = new byte[FrameEncoder.MaxHeaderLength + item.Packet.Length + item.Padding.Length];
        var written = item.QuickAckToken is { } token
            ? FrameEncoder.WriteQuickAckAnswer(item.Tag, token, bytes)
            : FrameEncoder.WriteFrame(item.Tag, item.Direction, item.Packet, item.Padding, item.QuickAck, bytes);
        return bytes[..written];
    }

    private static List<byte[]> Split(byte[] stream, int[] cuts)
    {
        var points = cuts.Select(c => stream.Length == 0 ? 0 : c % stream.Length).Append(0).Append(stream.Length)
            .Distinct().Order().ToArray();
        var chunks = new List<byte[]>();
        for (var i = 1; i < points.Length; i++)
        {
            chunks.Add(stream[points[i - 1]..points[i]]);
        }

        return chunks;
    }

    /// <summary>Feeds chunks into a growing buffer the way a socket reader would, consuming decoded frames.</summary>
    private static List<string> DecodeChunks(ProtocolTag tag, FrameDirection direction, IEnumerable<byte[]> chunks)
    {
        var decoded = new List<string>();
        var buffer = new List<byte>();
        foreach (var chunk in chunks)
        {
            buffer.AddRange(chunk);
            while (true)
            {
                var span = buffer.ToArray().AsSpan();
                var frame = FrameDecoder.Decode(tag, direction, span);
                if (frame.Status == FrameStatus.NeedMore)
                {
                    break;
                }

                if (frame.Status == FrameStatus.Invalid)
                {
                    decoded.Add("invalid");
                    return decoded;
                }

                decoded.Add(frame.Status == FrameStatus.QuickAckAnswer
                    ? $"ack {frame.QuickAckToken:x8}"
                    : $"{frame.QuickAck} {Convert.ToHexStringLower(span.Slice(frame.HeaderLength, frame.PacketLength))}");
                buffer.RemoveRange(0, frame.FrameLength);
            }
        }

        return decoded;
    }

    private static bool Matches(string decoded, Item item)
    {
        if (item.QuickAckToken is { } token)
        {
            return decoded == $"ack {token:x8}";
        }

        var body = item.Packet.Concat(item.Padding).ToArray();
        var kept = item.Tag == ProtocolTag.PaddedIntermediate ? body[..(body.Length & ~3)] : body;
        return decoded == $"{item.QuickAck} {Convert.ToHexStringLower(kept)}";
    }

    private sealed record Item(
        ProtocolTag Tag, FrameDirection Direction, byte[] Packet, byte[] Padding, bool QuickAck, uint? QuickAckToken);
}
