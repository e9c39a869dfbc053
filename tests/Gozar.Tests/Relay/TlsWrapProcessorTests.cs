using Gozar.Protocol.Crypto;
using Gozar.Protocol.FakeTls;
using Gozar.Relay;

namespace Gozar.Tests.Relay;

public class TlsWrapProcessorTests
{
    private const int Header = TlsRecordWriter.HeaderLength;

    [Fact]
    public void MaxReceive_64KiBBuffer_FillsItWithFourRecords()
    {
        var wrap = new TlsWrapProcessor(null, null);

        var max = wrap.MaxReceive((64 * 1024) - wrap.ReceiveOffset);

        Assert.Equal((64 * 1024) - (4 * Header), max);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4091)]
    [InlineData(16383)]
    [InlineData(16384)]
    [InlineData(16388)]
    [InlineData(16389)]
    [InlineData(16395)]
    [InlineData(65531)]
    [InlineData(131067)]
    public void MaxReceive_AnyCapacity_RecordsFitAndOneMoreByteWouldNot(int capacity)
    {
        var wrap = new TlsWrapProcessor(null, null);

        var max = wrap.MaxReceive(capacity);

        Assert.True(TlsRecordWriter.GetWrappedLength(max) <= capacity + Header);
        Assert.True(TlsRecordWriter.GetWrappedLength(max + 1) > capacity + Header);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(16384)]
    [InlineData(16385)]
    [InlineData(40_000)]
    [InlineData(65516)]
    public void Process_FastMode_RecordsCarryThePayloadInOrder(int received)
    {
        var wrap = new TlsWrapProcessor(null, null);
        var buffer = new byte[64 * 1024];
        var payload = Pattern(received);
        payload.CopyTo(buffer.AsSpan(Header));

        Assert.True(wrap.Process(buffer, received, out var start, out var length));

        Assert.Equal(0, start);
        Assert.Equal(TlsRecordWriter.GetWrappedLength(received), length);
        Assert.Equal(payload, Unwrap(buffer.AsSpan(0, length), out var largestRecord));
        Assert.True(largestRecord <= TlsRecordWriter.MaxRecordPayload);
    }

    [Fact]
    public void Process_WithCiphers_SendsReencryptedPayloadInRecords()
    {
        var key = Pattern(AesCtr.KeySize);
        var iv = Pattern(AesCtr.IvSize);
        using var decrypt = new AesCtr(key, iv);
        key[0] ^= 1;
        using var encrypt = new AesCtr(key, iv);
        var wrap = new TlsWrapProcessor(decrypt, encrypt);
        var received = wrap.MaxReceive((64 * 1024) - Header);
        var buffer = new byte[64 * 1024];
        var payload = Pattern(received);
        payload.CopyTo(buffer.AsSpan(Header));
        var expected = (byte[])payload.Clone();
        using (var plainDecrypt = new AesCtr(Pattern(AesCtr.KeySize), iv))
        using (var plainEncrypt = new AesCtr(key, iv))
        {
            plainDecrypt.Transform(expected);
            plainEncrypt.Transform(expected);
        }

        Assert.True(wrap.Process(buffer, received, out _, out var length));

        Assert.Equal(buffer.Length, length);
        Assert.Equal(expected, Unwrap(buffer.AsSpan(0, length), out _));
    }

    private static byte[] Unwrap(ReadOnlySpan<byte> records, out int largestRecord)
    {
        var payload = new List<byte>();
        largestRecord = 0;
        var position = 0;
        while (position < records.Length)
        {
            Assert.Equal(0x17, records[position]);
            Assert.Equal(0x03, records[position + 1]);
            Assert.Equal(0x03, records[position + 2]);
            var length = (records[position + 3] << 8) | records[position + 4];
            largestRecord = Math.Max(largestRecord, length);
            payload.AddRange(records.Slice(position + Header, length));
            position += Header + length;
        }

        Assert.Equal(records.Length, position);
        return [.. payload];
    }

    private static byte[] Pattern(int length)
    {
        var result = new byte[length];
        for (var i = 0; i < length; i++)
        {
            result[i] = (byte)((i * 7) + (i >> 9));
        }

        return result;
    }
}
