using FsCheck.Xunit;
using Gozar.Protocol.FakeTls;
using static Gozar.Protocol.Tests.FakeTls.FakeTlsVectors;

namespace Gozar.Protocol.Tests.FakeTls;

public class TlsRecordReaderTests
{
    [Fact]
    public void Read_SpecClientRecords_Yields87PayloadBytes()
    {
        var reader = new TlsRecordReader();
        var input = Bytes(ClientFirstRecords);
        var output = new byte[200];

        var status = reader.Read(input, output, out var consumed, out var produced);

        Assert.Equal(TlsRecordStatus.Ok, status);
        Assert.Equal(input.Length, consumed);
        Assert.Equal(87, produced);
        Assert.Equal(ClientFirstPayload, Convert.ToHexStringLower(output, 0, produced));
        Assert.True(reader.IsAtRecordBoundary);
    }

    [Fact]
    public void Read_SpecClientRecordsOneByteAtATime_SameOutput()
    {
        var reader = new TlsRecordReader();
        var input = Bytes(ClientFirstRecords);
        var output = new List<byte>();
        var one = new byte[1];

        foreach (var b in input)
        {
            Assert.Equal(TlsRecordStatus.Ok, reader.Read([b], one, out var consumed, out var produced));
            Assert.Equal(1, consumed);
            output.AddRange(one.AsSpan(0, produced));
        }

        Assert.Equal(ClientFirstPayload, Convert.ToHexStringLower(output.ToArray()));
    }

    [Fact]
    public void Read_OutputSmallerThanPayload_StopsWhenFullAndResumes()
    {
        var reader = new TlsRecordReader();
        var input = Bytes(ClientFirstRecords);
        var output = new byte[50];

        reader.Read(input, output, out var consumed, out var produced);
        Assert.Equal(50, produced);
        Assert.Equal(6 + 5 + 50, consumed);
        Assert.False(reader.IsAtRecordBoundary);

        var rest = new byte[50];
        reader.Read(input.AsSpan(consumed), rest, out var consumed2, out var produced2);
        Assert.Equal(37, produced2);
        Assert.Equal(input.Length, consumed + consumed2);
        Assert.Equal(ClientFirstPayload, Convert.ToHexStringLower([.. output, .. rest[..37]]));
    }

    [Fact]
    public void ReadSegment_SpecClientRecords_PointsIntoInputWithoutCopy()
    {
        var reader = new TlsRecordReader();
        var input = Bytes(ClientFirstRecords);

        var status = reader.ReadSegment(input, int.MaxValue, out var consumed, out var offset, out var length);

        Assert.Equal(TlsRecordStatus.Ok, status);
        Assert.Equal(11, offset);
        Assert.Equal(87, length);
        Assert.Equal(input.Length, consumed);
    }

    [Fact]
    public void ReadSegment_MaxPayloadZero_StopsBeforePayload()
    {
        var reader = new TlsRecordReader();
        var input = Bytes(ClientFirstRecords);

        reader.ReadSegment(input, 0, out var consumed, out _, out var length);

        Assert.Equal(11, consumed);
        Assert.Equal(0, length);
        reader.ReadSegment(input.AsSpan(consumed), 0, out var again, out _, out _);
        Assert.Equal(0, again);
    }

    [Theory]
    [InlineData("1503030002022800", TlsRecordStatus.Alert)]
    [InlineData("1603030001aa", TlsRecordStatus.UnexpectedRecordType)]
    [InlineData("1803030001aa", TlsRecordStatus.UnexpectedRecordType)]
    [InlineData("1703010001aa", TlsRecordStatus.BadVersion)]
    [InlineData("1403010001 01", TlsRecordStatus.BadVersion)]
    [InlineData("1703034101", TlsRecordStatus.RecordTooLong)]
    [InlineData("140303000102", TlsRecordStatus.BadChangeCipherSpec)]
    [InlineData("14030300020101", TlsRecordStatus.BadChangeCipherSpec)]
    public void Read_BadRecord_FailsWithStatus(string hex, TlsRecordStatus expected)
    {
        var reader = new TlsRecordReader();

        var status = reader.Read(Bytes(hex.Replace(" ", "", StringComparison.Ordinal)), new byte[100], out _, out var produced);

        Assert.Equal(expected, status);
        Assert.Equal(0, produced);
    }

    [Fact]
    public void Read_RecordOf16640Bytes_Accepted()
    {
        var reader = new TlsRecordReader();
        byte[] input = [0x17, 0x03, 0x03, 0x41, 0x00, .. new byte[16640]];

        var status = reader.Read(input, new byte[20000], out _, out var produced);

        Assert.Equal(TlsRecordStatus.Ok, status);
        Assert.Equal(16640, produced);
    }

    [Fact]
    public void Read_DataThenAlert_ReturnsDataAndAlertThenStaysFailed()
    {
        var reader = new TlsRecordReader();
        var input = Bytes("1703030003aabbcc" + "15030300020100" + "1703030001dd");
        var output = new byte[100];

        var status = reader.Read(input, output, out _, out var produced);

        Assert.Equal(TlsRecordStatus.Alert, status);
        Assert.Equal(Bytes("aabbcc"), output[..produced]);
        Assert.Equal(TlsRecordStatus.Alert, reader.Read(Bytes("1703030001dd"), output, out var consumed, out produced));
        Assert.Equal(0, consumed);
        Assert.Equal(0, produced);
    }

    [Fact]
    public void Read_EmptyApplicationDataAndRepeatedChangeCipherSpec_Skipped()
    {
        var reader = new TlsRecordReader();
        var input = Bytes("140303000101" + "1703030000" + "140303000101" + "1703030002eeff");
        var output = new byte[10];

        var status = reader.Read(input, output, out var consumed, out var produced);

        Assert.Equal(TlsRecordStatus.Ok, status);
        Assert.Equal(input.Length, consumed);
        Assert.Equal(Bytes("eeff"), output[..produced]);
    }

    [Property(MaxTest = 200)]
    public void Read_RandomRecordStreamInRandomChunks_SameOutputAsWhole(int seed)
    {
        var random = new Random(seed);
        var (stream, expected) = RandomRecordStream(random);
        var reader = new TlsRecordReader();
        var output = new List<byte>();
        var position = 0;
        while (position < stream.Length)
        {
            var chunk = stream.AsSpan(position, Math.Min(random.Next(1, 3000), stream.Length - position));
            position += chunk.Length;
            while (!chunk.IsEmpty)
            {
                var buffer = new byte[random.Next(1, 4000)];
                Assert.Equal(TlsRecordStatus.Ok, reader.Read(chunk, buffer, out var consumed, out var produced));
                output.AddRange(buffer.AsSpan(0, produced));
                chunk = chunk[consumed..];
            }
        }

        Assert.Equal(expected, output.ToArray());
        Assert.True(reader.IsAtRecordBoundary);
    }

    [Property(MaxTest = 500)]
    public bool Read_RandomBytes_NeverThrowsAndNeverOverreads(byte[] input)
    {
        var reader = new TlsRecordReader();
        var output = new byte[64];
        var status = reader.Read(input, output, out var consumed, out var produced);
        return Enum.IsDefined(status) && consumed <= input.Length && produced <= output.Length;
    }

    /// <summary>A client-like stream: CCS records anywhere, ApplicationData records of 0..16640 bytes.</summary>
    internal static (byte[] Stream, byte[] Payload) RandomRecordStream(Random random)
    {
        var stream = new List<byte>();
        var payload = new List<byte>();
        for (var records = random.Next(1, 20); records > 0; records--)
        {
            if (random.Next(5) == 0)
            {
                stream.AddRange([0x14, 0x03, 0x03, 0x00, 0x01, 0x01]);
                continue;
            }

            var length = random.Next(10) == 0 ? random.Next(0, 16641) : random.Next(0, 3000);
            var data = FakeTlsTestData.RandomBytes(random, length);
            stream.AddRange([0x17, 0x03, 0x03, (byte)(length >> 8), (byte)length]);
            stream.AddRange(data);
            payload.AddRange(data);
        }

        return ([.. stream], [.. payload]);
    }
}
