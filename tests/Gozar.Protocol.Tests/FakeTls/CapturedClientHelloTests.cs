using Gozar.Protocol.FakeTls;

namespace Gozar.Protocol.Tests.FakeTls;

/// <summary>
/// ClientHellos as real client libraries send them, captured on loopback (a listener that records the first bytes of
/// a connection) with the key and domain of the spec's vectors: TDLib 1.8.65 (Telegram's own library, 1,817 bytes with
/// its post-quantum key share) and mtcute 0.30.3 (1,721 bytes). The real-client tests run these libraries against
/// Gozar; these keep their hellos in the unit tests, where no client library needs to be installed.
/// </summary>
public class CapturedClientHelloTests
{
    [Theory]
    [InlineData("tdlib-1.8.65.hex", 1796335928L, 1817)]
    [InlineData("mtcute-0.30.3.hex", 1796335937L, 1721)]
    public void Validate_CapturedHello_AuthenticatedForItsKeyAndDomainAtItsTime(string file, long capturedAt, int length)
    {
        var record = Convert.FromHexString(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "FakeTls", "Captured", file)).Trim());

        var result = ClientHelloValidator.Validate(
            record, [Convert.FromHexString(FakeTlsVectors.Key)], capturedAt, ClockSkewWindow.Default, [FakeTlsVectors.Domain]);

        Assert.Equal(length, record.Length);
        Assert.Equal(ClientHelloOutcome.Authenticated, result.Outcome);
        Assert.InRange(result.Timestamp, (uint)(capturedAt - 10), (uint)capturedAt);
        Assert.Equal("example.com"u8.ToArray(), result.ServerName.ToArray());
        Assert.Equal(0x1301, result.CipherSuite);
    }

    [Theory]
    [InlineData("tdlib-1.8.65.hex")]
    [InlineData("mtcute-0.30.3.hex")]
    public void Validate_CapturedHelloWithAnotherKey_BadHmac(string file)
    {
        var record = Convert.FromHexString(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "FakeTls", "Captured", file)).Trim());

        var result = ClientHelloValidator.Validate(
            record, [Convert.FromHexString("ffeeddccbbaa99887766554433221100")], 1796335930, ClockSkewWindow.Default, []);

        Assert.Equal(ClientHelloOutcome.BadHmac, result.Outcome);
    }
}
