using FsCheck.Xunit;
using Gozar.Protocol.FakeTls;
using static Gozar.Protocol.Tests.FakeTls.FakeTlsVectors;

namespace Gozar.Protocol.Tests.FakeTls;

public class ClientHelloTests
{
    [Fact]
    public void TryParse_SpecVector_FindsRandomSessionIdSniAndSuite()
    {
        var record = Bytes(ClientHelloRecord);

        var status = ClientHello.TryParse(record, out var hello);

        Assert.Equal(ClientHelloStatus.Ok, status);
        Assert.Equal(Bytes(ClientRandom), hello.Random.ToArray());
        Assert.Equal(Bytes(SessionId), hello.SessionId.ToArray());
        Assert.Equal("example.com"u8.ToArray(), hello.ServerName.ToArray());
        Assert.Equal(0x1301, hello.CipherSuite);
        Assert.Equal(517, hello.Record.Length);
    }

    [Fact]
    public void TryParse_FirstTls13SuiteIsLater_ChoosesIt()
    {
        var record = Bytes(ClientHelloRecord);
        // Suites start at 78 after the 2-byte length: 0a0a 1301 1302 1303 -> 0a0a c02b 1303 1303.
        record[80] = 0xc0;
        record[81] = 0x2b;
        record[82] = 0x13;
        record[83] = 0x03;

        ClientHello.TryParse(record, out var hello);

        Assert.Equal(0x1303, hello.CipherSuite);
    }

    [Fact]
    public void TryParse_NoTls13Suite_Defaults1301()
    {
        var record = Bytes(ClientHelloRecord);
        for (var i = 80; i < 86; i += 2)
        {
            record[i] = 0xc0;
            record[i + 1] = 0x2b;
        }

        var status = ClientHello.TryParse(record, out var hello);

        Assert.Equal(ClientHelloStatus.Ok, status);
        Assert.Equal(0x1301, hello.CipherSuite);
    }

    [Theory]
    [InlineData("170303")]
    [InlineData("160303")]
    [InlineData("150301")]
    public void TryParse_OtherRecordHeader_NotHandshakeRecord(string header)
    {
        var record = Bytes(ClientHelloRecord);
        Bytes(header).CopyTo(record, 0);

        Assert.Equal(ClientHelloStatus.NotHandshakeRecord, ClientHello.TryParse(record, out _));
    }

    [Fact]
    public void TryParse_HandshakeTypeNotClientHello_NotClientHello()
    {
        var record = Bytes(ClientHelloRecord);
        record[5] = 0x02;

        Assert.Equal(ClientHelloStatus.NotClientHello, ClientHello.TryParse(record, out _));
    }

    [Fact]
    public void TryParse_SessionIdLongerThan32_Malformed()
    {
        var record = Bytes(ClientHelloRecord);
        record[43] = 33;

        Assert.Equal(ClientHelloStatus.Malformed, ClientHello.TryParse(record, out _));
    }

    [Fact]
    public void TryParse_HandshakeLengthDisagreesWithRecord_Malformed()
    {
        var record = Bytes(ClientHelloRecord);
        record[8]--;

        Assert.Equal(ClientHelloStatus.Malformed, ClientHello.TryParse(record, out _));
    }

    [Fact]
    public void TryParse_ExtensionLengthPastEnd_Malformed()
    {
        var record = Bytes(ClientHelloRecord);
        // The padding extension (00 15 00 d5 at 300) is last; announce one byte more than is present.
        record[303]++;

        Assert.Equal(ClientHelloStatus.Malformed, ClientHello.TryParse(record, out _));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1)]
    public void TryParse_InputNotExactlyOneRecord_Malformed(int delta)
    {
        var record = Bytes(ClientHelloRecord);
        Array.Resize(ref record, record.Length + delta);

        Assert.Equal(ClientHelloStatus.Malformed, ClientHello.TryParse(record, out _));
    }

    [Fact]
    public void TryParse_NoExtensions_OkWithoutServerName()
    {
        // Up to and including the compression methods (76 + 2 + 32 + 2 = 112 bytes), lengths fixed up.
        var record = Bytes(ClientHelloRecord)[..112];
        record[3] = 0;
        record[4] = 112 - 5;
        record[6] = 0;
        record[7] = 0;
        record[8] = 112 - 9;

        var status = ClientHello.TryParse(record, out var hello);

        Assert.Equal(ClientHelloStatus.Ok, status);
        Assert.True(hello.ServerName.IsEmpty);
        Assert.Equal(32, hello.SessionId.Length);
    }

    [Property(MaxTest = 500)]
    public bool TryParse_RandomBytes_ReturnsWithoutThrowing(byte[] bytes)
    {
        var status = ClientHello.TryParse(bytes, out _);
        return status != ClientHelloStatus.Ok && Enum.IsDefined(status);
    }

    [Property(MaxTest = 500)]
    public bool TryParse_RandomPayloadBehindValidHeader_ReturnsWithoutThrowing(byte[] payload)
    {
        var record = new byte[5 + payload.Length];
        record[0] = 0x16;
        record[1] = 0x03;
        record[2] = 0x01;
        record[3] = (byte)(payload.Length >> 8);
        record[4] = (byte)payload.Length;
        payload.CopyTo(record, 5);
        return Enum.IsDefined(ClientHello.TryParse(record, out _));
    }

    [Property(MaxTest = 1000)]
    public void TryParse_VectorWithCorruptedBytes_ReturnsWithoutThrowing(int seed)
    {
        var random = new Random(seed);
        var record = Bytes(ClientHelloRecord);
        for (var i = random.Next(1, 8); i > 0; i--)
        {
            record[random.Next(record.Length)] = (byte)random.Next(256);
        }

        var status = ClientHello.TryParse(record, out var hello);

        Assert.True(Enum.IsDefined(status));
        if (status == ClientHelloStatus.Ok)
        {
            Assert.True(hello.SessionId.Length <= 32);
            Assert.True(hello.ServerName.Length < record.Length);
        }
    }
}
