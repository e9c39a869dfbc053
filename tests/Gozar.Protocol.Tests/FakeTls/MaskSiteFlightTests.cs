using FsCheck.Xunit;
using Gozar.Protocol.FakeTls;
using static Gozar.Protocol.Tests.FakeTls.FakeTlsVectors;

namespace Gozar.Protocol.Tests.FakeTls;

public class MaskSiteFlightTests
{
    [Fact]
    public void TryParse_SpecServerFlight_LearnsSuiteOrderAndLength()
    {
        var status = MaskSiteFlight.TryParse(Bytes(ServerFlightRecords), Bytes(SessionId), out var flight);

        Assert.Equal(MaskSiteFlightStatus.Ok, status);
        Assert.Equal(
            new MaskSiteFlight(0x1301, ServerHelloExtensionOrder.KeyShareFirst, 100) { KeyShareGroup = 0x001d, EncryptedRecordsOffset = 133 },
            flight);
    }

    [Fact]
    public void TryParse_SupportedVersionsFirst_ReportsThatOrder()
    {
        var response = new byte[ServerHelloFlight.GetLength(3000)];
        ServerHelloFlight.Build(
            Bytes(Key), Bytes(ClientRandom), Bytes(SessionId), 0x1302, Bytes(ServerX25519Key), new byte[3000],
            ServerHelloExtensionOrder.SupportedVersionsFirst, response);

        var status = MaskSiteFlight.TryParse(response.AsSpan(0, 150), Bytes(SessionId), out var flight);

        Assert.Equal(MaskSiteFlightStatus.Ok, status);
        Assert.Equal(
            new MaskSiteFlight(0x1302, ServerHelloExtensionOrder.SupportedVersionsFirst, 3000) { EncryptedRecordsOffset = 133 },
            flight);
    }

    [Fact]
    public void TryParse_HybridKeyShare_ReportsGroupAndLongerServerHello()
    {
        var response = new byte[ServerHelloFlight.GetLength(500, 32, 0x11ec)];
        ServerHelloFlight.Build(
            Bytes(Key), Bytes(ClientRandom), Bytes(SessionId), 0x1301, ServerHelloExtensionOrder.SupportedVersionsFirst, 0x11ec,
            new byte[1120], new byte[500], response);

        var status = MaskSiteFlight.TryParse(response, Bytes(SessionId), out var flight);

        Assert.Equal(MaskSiteFlightStatus.Ok, status);
        Assert.Equal(0x11ec, flight.KeyShareGroup);
        Assert.Equal(127 + 1088 + 6, flight.EncryptedRecordsOffset);
        Assert.Equal(500, flight.ApplicationDataLength);
    }

    [Fact]
    public void TryParse_RebuiltX25519KeyShare_Ok()
    {
        var status = MaskSiteFlight.TryParse(WithKeyShare(Bytes("001d"), 32), Bytes(SessionId), out var flight);

        Assert.Equal(MaskSiteFlightStatus.Ok, status);
        Assert.Equal(ServerHelloExtensionOrder.KeyShareFirst, flight.ExtensionOrder);
    }

    [Theory]
    [InlineData("0017", 65)] // secp256r1: not a share we can imitate
    [InlineData("001d", 31)] // x25519 with a short key
    [InlineData("11ec", 32)] // the hybrid group with an x25519-sized key
    public void TryParse_KeyShareWeCannotImitate_Unsuitable(string group, int keyLength)
    {
        var response = WithKeyShare(Bytes(group), keyLength);

        Assert.Equal(MaskSiteFlightStatus.Unsuitable, MaskSiteFlight.TryParse(response, Bytes(SessionId), out _));
    }

    [Fact]
    public void TryReadEncryptedRecords_FourWholeRecords_ReadsTheirLengths()
    {
        var records = Records(36, 2063, 96, 53);
        var lengths = new int[8];

        var status = MaskSiteFlight.TryReadEncryptedRecords(records, lengths, out var count);

        Assert.Equal(MaskSiteFlightStatus.Ok, status);
        Assert.Equal([36, 2063, 96, 53], lengths[..count]);
    }

    [Fact]
    public void TryReadEncryptedRecords_EndsInsideARecord_NeedMoreData()
    {
        var records = Records(36, 2063);
        var lengths = new int[8];
        foreach (var cut in new[] { 0, 3, 5 + 36 + 2, 5 + 36 + 5 + 2062 })
        {
            Assert.Equal(MaskSiteFlightStatus.NeedMoreData, MaskSiteFlight.TryReadEncryptedRecords(records.AsSpan(0, cut), lengths, out _));
        }
    }

    [Theory]
    [InlineData("150303000202")] // an alert after the first record
    [InlineData("1603030004")] // a plaintext handshake record
    [InlineData("1703010004")] // another version
    [InlineData("1703030000")] // an empty record
    [InlineData("1703034101")] // over 16384 + 256
    public void TryReadEncryptedRecords_OtherRecord_Unsuitable(string second)
    {
        var records = Records(36).Concat(Bytes(second)).Concat(new byte[4]).ToArray();

        Assert.Equal(MaskSiteFlightStatus.Unsuitable, MaskSiteFlight.TryReadEncryptedRecords(records, new int[8], out _));
    }

    [Fact]
    public void TryReadEncryptedRecords_MoreRecordsThanRoom_Unsuitable()
    {
        Assert.Equal(MaskSiteFlightStatus.Unsuitable, MaskSiteFlight.TryReadEncryptedRecords(Records(1, 2, 3), new int[2], out _));
    }

    private static byte[] Records(params int[] lengths)
    {
        var output = new List<byte>();
        foreach (var length in lengths)
        {
            output.AddRange([0x17, 0x03, 0x03, (byte)(length >> 8), (byte)length]);
            output.AddRange(new byte[length]);
        }

        return [.. output];
    }

    /// <summary>The spec flight with its key_share replaced by one for <paramref name="group"/> of the given key length.</summary>
    private static byte[] WithKeyShare(byte[] group, int keyLength)
    {
        var spec = Bytes(ServerFlightRecords);
        var extensions = new List<byte>([0x00, 0x33, 0x00, (byte)(4 + keyLength), group[0], group[1], 0x00, (byte)keyLength]);
        extensions.AddRange(new byte[keyLength]);
        extensions.AddRange(Bytes("002b00020304"));
        var hello = new List<byte>(spec[9..79]);
        hello.AddRange([(byte)(extensions.Count >> 8), (byte)extensions.Count]);
        hello.AddRange(extensions);
        var output = new List<byte>([0x16, 0x03, 0x03, (byte)((hello.Count + 4) >> 8), (byte)(hello.Count + 4), 0x02, 0x00, (byte)(hello.Count >> 8), (byte)hello.Count]);
        output.AddRange(hello);
        output.AddRange(spec[127..]);
        return [.. output];
    }

    [Fact]
    public void TryParse_PrefixBeforeApplicationDataHeader_NeedMoreData()
    {
        var response = Bytes(ServerFlightRecords);
        for (var length = 0; length < 127 + 6 + 5; length++)
        {
            Assert.Equal(MaskSiteFlightStatus.NeedMoreData, MaskSiteFlight.TryParse(response.AsSpan(0, length), Bytes(SessionId), out _));
        }
    }

    [Fact]
    public void TryParse_SessionIdNotEchoed_Unsuitable()
    {
        var sent = Bytes(SessionId);
        sent[31] ^= 1;

        Assert.Equal(MaskSiteFlightStatus.Unsuitable, MaskSiteFlight.TryParse(Bytes(ServerFlightRecords), sent, out _));
    }

    [Fact]
    public void TryParse_HelloRetryRequest_Unsuitable()
    {
        var response = Bytes(ServerFlightRecords);
        Bytes("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c").CopyTo(response, 11);

        Assert.Equal(MaskSiteFlightStatus.Unsuitable, MaskSiteFlight.TryParse(response, Bytes(SessionId), out _));
    }

    [Theory]
    [InlineData(126, 0x03)] // supported_versions selects TLS 1.2
    [InlineData(76, 0xc0)] // TLS 1.2 cipher suite
    [InlineData(82, 0x34)] // an extension other than key_share
    [InlineData(132, 0x02)] // CCS payload
    [InlineData(133, 0x16)] // no ApplicationData after the CCS
    public void TryParse_NotAnImitableTls13Flight_Unsuitable(int offset, byte value)
    {
        var response = Bytes(ServerFlightRecords);
        response[offset] = value;

        Assert.Equal(MaskSiteFlightStatus.Unsuitable, MaskSiteFlight.TryParse(response, Bytes(SessionId), out _));
    }

    [Theory]
    [InlineData("15030300020228")]
    [InlineData("485454502f312e3120343030")]
    public void TryParse_AlertOrPlainText_NotTls(string hex)
    {
        Assert.Equal(MaskSiteFlightStatus.NotTls, MaskSiteFlight.TryParse(Bytes(hex), Bytes(SessionId), out _));
    }

    [Property(MaxTest = 500)]
    public bool TryParse_RandomBytes_NeverThrows(byte[] response) =>
        Enum.IsDefined(MaskSiteFlight.TryParse(response, Bytes(SessionId), out _));
}
