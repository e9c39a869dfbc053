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
        Assert.Equal(new MaskSiteFlight(0x1301, ServerHelloExtensionOrder.KeyShareFirst, 100), flight);
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
        Assert.Equal(new MaskSiteFlight(0x1302, ServerHelloExtensionOrder.SupportedVersionsFirst, 3000), flight);
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
