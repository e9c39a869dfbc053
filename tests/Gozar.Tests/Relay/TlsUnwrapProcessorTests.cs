using Gozar.Protocol.Crypto;
using Gozar.Protocol.FakeTls;
using Gozar.Relay;

namespace Gozar.Tests.Relay;

public class TlsUnwrapProcessorTests
{
    [Theory]
    [InlineData(16384, 65536)]
    [InlineData(2878, 65536)]
    [InlineData(1, 200)]
    [InlineData(16384, 20_000)]
    public void Process_RecordsCutAnywhere_SendsReencryptedPayload(int recordPayload, int chunk)
    {
        var payload = Pattern(50_000);
        var records = Wrap(payload, recordPayload);
        var key = Pattern(AesCtr.KeySize);
        var iv = Pattern(AesCtr.IvSize);
        var otherKey = (byte[])key.Clone();
        otherKey[0] ^= 1;
        using var decrypt = new AesCtr(key, iv);
        using var encrypt = new AesCtr(otherKey, iv);
        var unwrap = new TlsUnwrapProcessor(new TlsRecordReader(), decrypt, encrypt);
        var expected = (byte[])payload.Clone();
        using (var plainDecrypt = new AesCtr(key, iv))
        using (var plainEncrypt = new AesCtr(otherKey, iv))
        {
            plainDecrypt.Transform(expected);
            plainEncrypt.Transform(expected);
        }

        var sent = new List<byte>();
        var buffer = new byte[chunk];
        for (var position = 0; position < records.Length; position += chunk)
        {
            var received = Math.Min(chunk, records.Length - position);
            records.AsSpan(position, received).CopyTo(buffer);
            Assert.True(unwrap.Process(buffer, received, out var start, out var length));
            sent.AddRange(buffer.AsSpan(start, length));
        }

        Assert.Equal(expected, sent.ToArray());
    }

    [Fact]
    public void Process_Alert_ReturnsFalse()
    {
        using var decrypt = new AesCtr(Pattern(AesCtr.KeySize), Pattern(AesCtr.IvSize));
        using var encrypt = new AesCtr(Pattern(AesCtr.KeySize), Pattern(AesCtr.IvSize));
        var unwrap = new TlsUnwrapProcessor(new TlsRecordReader(), decrypt, encrypt);
        byte[] buffer = [0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28];

        Assert.False(unwrap.Process(buffer, buffer.Length, out _, out _));
    }

    [Fact]
    public void Process_AlertAfterRecords_ReturnsFalseWithRecordsBeforeItReencrypted()
    {
        var payload = Pattern(3 * 2878);
        var key = Pattern(AesCtr.KeySize);
        var otherKey = (byte[])key.Clone();
        otherKey[0] ^= 1;
        var iv = Pattern(AesCtr.IvSize);
        using var decrypt = new AesCtr(key, iv);
        using var encrypt = new AesCtr(otherKey, iv);
        var unwrap = new TlsUnwrapProcessor(new TlsRecordReader(), decrypt, encrypt);
        byte[] buffer = [.. Wrap(payload, 2878), 0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28];
        var expected = (byte[])payload.Clone();
        using (var plainDecrypt = new AesCtr(key, iv))
        using (var plainEncrypt = new AesCtr(otherKey, iv))
        {
            plainDecrypt.Transform(expected);
            plainEncrypt.Transform(expected);
        }

        Assert.False(unwrap.Process(buffer, buffer.Length, out var start, out var length));

        Assert.Equal(expected, buffer.AsSpan(start, length).ToArray());
    }

    /// <summary>Records of <paramref name="recordPayload"/> bytes with a ChangeCipherSpec record after the first.</summary>
    private static byte[] Wrap(byte[] payload, int recordPayload)
    {
        var result = new List<byte>();
        for (var position = 0; position < payload.Length; position += recordPayload)
        {
            var length = Math.Min(recordPayload, payload.Length - position);
            result.AddRange([0x17, 0x03, 0x03, (byte)(length >> 8), (byte)length]);
            result.AddRange(payload.AsSpan(position, length));
            if (position == 0)
            {
                result.AddRange([0x14, 0x03, 0x03, 0x00, 0x01, 0x01]);
            }
        }

        return [.. result];
    }

    private static byte[] Pattern(int length)
    {
        var result = new byte[length];
        for (var i = 0; i < length; i++)
        {
            result[i] = (byte)((i * 13) + (i >> 8));
        }

        return result;
    }
}
