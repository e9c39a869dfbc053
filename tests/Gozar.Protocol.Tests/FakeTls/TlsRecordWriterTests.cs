using System.Buffers.Binary;
using FsCheck;
using FsCheck.Xunit;
using Gozar.Protocol.FakeTls;

namespace Gozar.Protocol.Tests.FakeTls;

public class TlsRecordWriterTests
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 6)]
    [InlineData(16384, 16389)]
    [InlineData(16385, 16395)]
    [InlineData(3 * 16384, (3 * 16384) + 15)]
    public void GetWrappedLength_PayloadLength_AddsOneHeaderPer16384(int payload, int expected)
    {
        Assert.Equal(expected, TlsRecordWriter.GetWrappedLength(payload));
    }

    [Fact]
    public void Wrap_SmallPayload_OneApplicationDataRecord()
    {
        var destination = new byte[8];

        var written = TlsRecordWriter.Wrap([0xaa, 0xbb, 0xcc], destination);

        Assert.Equal(8, written);
        Assert.Equal(Convert.FromHexString("1703030003aabbcc"), destination);
    }

    [Fact]
    public void Wrap_MaxRecordPayloadAbove16384_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TlsRecordWriter.Wrap(new byte[10], 16385, new byte[100]));
    }

    [Property(MaxTest = 100)]
    public void Wrap_AnyPayload_RecordsAtMost16384AndReaderRestoresPayload(int seed, PositiveInt maxRecord)
    {
        var random = new Random(seed);
        var payload = FakeTlsTestData.RandomBytes(random, random.Next(0, 70000));
        var limit = random.Next(2) == 0 ? TlsRecordWriter.MaxRecordPayload : Math.Min(maxRecord.Get, TlsRecordWriter.MaxRecordPayload);
        var wrapped = new byte[TlsRecordWriter.GetWrappedLength(payload.Length, limit)];

        var written = TlsRecordWriter.Wrap(payload, limit, wrapped);

        Assert.Equal(wrapped.Length, written);
        for (var position = 0; position < wrapped.Length;)
        {
            Assert.Equal(Convert.FromHexString("170303"), wrapped[position..(position + 3)]);
            var length = BinaryPrimitives.ReadUInt16BigEndian(wrapped.AsSpan(position + 3));
            Assert.InRange(length, 1, limit);
            position += 5 + length;
        }

        var output = new byte[payload.Length];
        Assert.Equal(TlsRecordStatus.Ok, new TlsRecordReader().Read(wrapped, output, out _, out var produced));
        Assert.Equal(payload.Length, produced);
        Assert.Equal(payload, output);
    }

    [Property(MaxTest = 50)]
    public void Wrap_PayloadAtTailOfDestination_SameAsSeparateBuffers(int seed)
    {
        var random = new Random(seed);
        var payload = FakeTlsTestData.RandomBytes(random, random.Next(1, 60000));
        var expected = new byte[TlsRecordWriter.GetWrappedLength(payload.Length)];
        TlsRecordWriter.Wrap(payload, expected);
        var inPlace = new byte[expected.Length];
        payload.CopyTo(inPlace, inPlace.Length - payload.Length);

        TlsRecordWriter.Wrap(inPlace.AsSpan(inPlace.Length - payload.Length), inPlace);

        Assert.Equal(expected, inPlace);
    }

    [Property(MaxTest = 50)]
    public void BeginRecord_LoopWithTransform_MatchesWrapOfTransformedPayload(int seed)
    {
        var random = new Random(seed);
        var source = FakeTlsTestData.RandomBytes(random, random.Next(1, 40000));
        var transformed = source.Select(b => (byte)(b ^ 0x5a)).ToArray();
        var expected = new byte[TlsRecordWriter.GetWrappedLength(source.Length)];
        TlsRecordWriter.Wrap(transformed, expected);
        var destination = new byte[expected.Length];

        int read = 0, written = 0;
        while (read < source.Length)
        {
            var n = TlsRecordWriter.BeginRecord(source.Length - read, destination.AsSpan(written));
            for (var i = 0; i < n; i++)
            {
                destination[written + TlsRecordWriter.HeaderLength + i] = (byte)(source[read + i] ^ 0x5a);
            }

            written += TlsRecordWriter.HeaderLength + n;
            read += n;
        }

        Assert.Equal(expected, destination);
    }
}
