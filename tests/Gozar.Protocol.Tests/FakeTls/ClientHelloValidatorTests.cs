using Gozar.Protocol.FakeTls;
using static Gozar.Protocol.Tests.FakeTls.FakeTlsVectors;

namespace Gozar.Protocol.Tests.FakeTls;

public class ClientHelloValidatorTests
{
    private const string OtherKey = "ffeeddccbbaa99887766554433221100";

    [Fact]
    public void Validate_SpecHelloClockAt1700000003_AuthenticatedWithAllFields()
    {
        var result = ClientHelloValidator.Validate(
            Bytes(ClientHelloRecord), Keys(Key), 1700000003, ClockSkewWindow.Default, [Domain]);

        Assert.Equal(ClientHelloOutcome.Authenticated, result.Outcome);
        Assert.True(result.IsAuthenticated);
        Assert.Equal(0, result.KeyIndex);
        Assert.Equal(1700000000u, result.Timestamp);
        Assert.Equal(0, result.DomainIndex);
        Assert.Equal(Bytes(ClientRandom), result.ClientRandom.ToArray());
        Assert.Equal(Bytes(SessionId), result.SessionId.ToArray());
        Assert.Equal("example.com"u8.ToArray(), result.ServerName.ToArray());
        Assert.Equal(0x1301, result.CipherSuite);
    }

    [Fact]
    public void Validate_MatchingKeyIsThird_ReportsIndexTwo()
    {
        var result = ClientHelloValidator.Validate(
            Bytes(ClientHelloRecord), Keys(OtherKey, OtherKey, Key), 1700000003, ClockSkewWindow.Default, []);

        Assert.Equal(ClientHelloOutcome.Authenticated, result.Outcome);
        Assert.Equal(2, result.KeyIndex);
    }

    [Fact]
    public void Validate_ClockAt1700003600_ClockSkewWithKeyAndTimestamp()
    {
        var result = ClientHelloValidator.Validate(
            Bytes(ClientHelloRecord), Keys(Key), 1700003600, ClockSkewWindow.Default, [Domain]);

        Assert.Equal(ClientHelloOutcome.ClockSkew, result.Outcome);
        Assert.Equal(0, result.KeyIndex);
        Assert.Equal(1700000000u, result.Timestamp);
    }

    [Fact]
    public void Validate_ClockAt1700003600WithIgnoreSkew_Authenticated()
    {
        var window = ClockSkewWindow.Default with { Ignore = true };

        var result = ClientHelloValidator.Validate(Bytes(ClientHelloRecord), Keys(Key), 1700003600, window, [Domain]);

        Assert.Equal(ClientHelloOutcome.Authenticated, result.Outcome);
    }

    [Theory]
    [InlineData(1700000600, ClientHelloOutcome.Authenticated)]
    [InlineData(1700000601, ClientHelloOutcome.ClockSkew)]
    [InlineData(1699999880, ClientHelloOutcome.Authenticated)]
    [InlineData(1699999879, ClientHelloOutcome.ClockSkew)]
    public void Validate_TimestampAtWindowEdges_AcceptsInclusiveBounds(long now, ClientHelloOutcome expected)
    {
        var result = ClientHelloValidator.Validate(Bytes(ClientHelloRecord), Keys(Key), now, ClockSkewWindow.Default, []);

        Assert.Equal(expected, result.Outcome);
    }

    [Fact]
    public void Validate_BootTimeTimestamp_ClockSkew()
    {
        var hello = Bytes(ClientHelloRecord);
        FakeTlsTestData.Sign(hello, Bytes(Key), 3600);

        var result = ClientHelloValidator.Validate(hello, Keys(Key), 1700000000, ClockSkewWindow.Default, []);

        Assert.Equal(ClientHelloOutcome.ClockSkew, result.Outcome);
        Assert.Equal(3600u, result.Timestamp);
    }

    [Fact]
    public void Validate_WrongKey_BadHmac()
    {
        var result = ClientHelloValidator.Validate(
            Bytes(ClientHelloRecord), Keys(OtherKey), 1700000003, ClockSkewWindow.Default, [Domain]);

        Assert.Equal(ClientHelloOutcome.BadHmac, result.Outcome);
        Assert.Equal(-1, result.KeyIndex);
    }

    [Fact]
    public void Validate_NoKeys_BadHmac()
    {
        var result = ClientHelloValidator.Validate(
            Bytes(ClientHelloRecord), [], 1700000003, ClockSkewWindow.Default, []);

        Assert.Equal(ClientHelloOutcome.BadHmac, result.Outcome);
    }

    [Fact]
    public void Validate_OneBitFlippedOutsideRandom_BadHmac()
    {
        var hello = Bytes(ClientHelloRecord);
        hello[400] ^= 1;

        var result = ClientHelloValidator.Validate(hello, Keys(Key), 1700000003, ClockSkewWindow.Default, []);

        Assert.Equal(ClientHelloOutcome.BadHmac, result.Outcome);
    }

    [Fact]
    public void Validate_SniNotAllowed_UnknownSni()
    {
        var result = ClientHelloValidator.Validate(
            Bytes(ClientHelloRecord), Keys(Key), 1700000003, ClockSkewWindow.Default, ["example.org", "www.example.com"]);

        Assert.Equal(ClientHelloOutcome.UnknownSni, result.Outcome);
        Assert.Equal(0, result.KeyIndex);
        Assert.Equal(-1, result.DomainIndex);
    }

    [Fact]
    public void Validate_SniDiffersInCase_AuthenticatedWithDomainIndex()
    {
        var result = ClientHelloValidator.Validate(
            Bytes(ClientHelloRecord), Keys(Key), 1700000003, ClockSkewWindow.Default, ["example.org", "EXAMPLE.Com"]);

        Assert.Equal(ClientHelloOutcome.Authenticated, result.Outcome);
        Assert.Equal(1, result.DomainIndex);
    }

    [Fact]
    public void Validate_NoSniWithAllowedDomains_UnknownSni()
    {
        var hello = WithoutServerName(Bytes(ClientHelloRecord));
        FakeTlsTestData.Sign(hello, Bytes(Key), 1700000000);

        var withList = ClientHelloValidator.Validate(hello, Keys(Key), 1700000003, ClockSkewWindow.Default, [Domain]);
        var withoutList = ClientHelloValidator.Validate(hello, Keys(Key), 1700000003, ClockSkewWindow.Default, []);

        Assert.Equal(ClientHelloOutcome.UnknownSni, withList.Outcome);
        Assert.True(withList.ServerName.IsEmpty);
        Assert.Equal(ClientHelloOutcome.Authenticated, withoutList.Outcome);
    }

    [Fact]
    public void Validate_NotHandshake_NotAHello()
    {
        var result = ClientHelloValidator.Validate(
            Bytes("170303000101"), Keys(Key), 1700000003, ClockSkewWindow.Default, []);

        Assert.Equal(ClientHelloOutcome.NotAHello, result.Outcome);
        Assert.True(result.ClientRandom.IsEmpty);
    }

    [Fact]
    public void Validate_Truncated_Malformed()
    {
        var hello = Bytes(ClientHelloRecord);
        hello[4] = 0x80;

        var result = ClientHelloValidator.Validate(hello.AsSpan(0, 5 + 0x0180), Keys(Key), 1700000003, ClockSkewWindow.Default, []);

        Assert.Equal(ClientHelloOutcome.Malformed, result.Outcome);
    }

    [Fact]
    public void Validate_LargeHello_UsesPooledCopyAndAuthenticates()
    {
        var random = new Random(3);
        var entropy = FakeTlsTestData.RandomBytes(random, ClientHelloBuilder.GetEntropyLength(ClientHelloShape.PostQuantum));
        entropy[1286] = 3;
        var hello = FakeTlsTestData.BuildHello(Bytes(Key), new string('x', 253), HelloUnixTime, entropy, ClientHelloShape.PostQuantum);
        Assert.True(hello.Length > 2048);

        var result = ClientHelloValidator.Validate(hello, Keys(OtherKey, Key), HelloUnixTime, ClockSkewWindow.Default, []);

        Assert.Equal(ClientHelloOutcome.Authenticated, result.Outcome);
        Assert.Equal(1, result.KeyIndex);
    }

    /// <summary>Moves the 20-byte server_name extension's bytes into the padding, keeping 517 bytes.</summary>
    private static byte[] WithoutServerName(byte[] hello)
    {
        const int ServerNameAt = 118;
        const int ServerNameLength = 20;
        var output = new List<byte>(hello[..ServerNameAt]);
        output.AddRange(hello[(ServerNameAt + ServerNameLength)..]);
        output.AddRange(new byte[ServerNameLength]);
        var bytes = output.ToArray();
        // Padding extension length (at 300 - 20 + 2) grows by the removed bytes.
        var paddingLength = (bytes[282] << 8 | bytes[283]) + ServerNameLength;
        bytes[282] = (byte)(paddingLength >> 8);
        bytes[283] = (byte)paddingLength;
        Assert.Equal(ClientHelloStatus.Ok, ClientHello.TryParse(bytes, out var parsed));
        Assert.True(parsed.ServerName.IsEmpty);
        return bytes;
    }
}
