using FsCheck.Xunit;
using Gozar.Protocol.FakeTls;
using static Gozar.Protocol.Tests.FakeTls.FakeTlsVectors;

namespace Gozar.Protocol.Tests.FakeTls;

public class TlsProfileTests
{
    private static readonly TlsProfile Nginx = new(
        0x1301, ServerHelloExtensionOrder.SupportedVersionsFirst, 0x001d,
        [RecordLengthRange.Exactly(36), RecordLengthRange.Exactly(2063), new RecordLengthRange(95, 97), RecordLengthRange.Exactly(53)],
        "test");

    [Fact]
    public void ApplicationDataLength_FourRecords_SumsPayloadsPlusThreeHeaders()
    {
        Assert.Equal((2262, 2264), (Nginx.ApplicationDataLength.Minimum, Nginx.ApplicationDataLength.Maximum));
    }

    [Fact]
    public void ApplicationDataLength_OneRecord_IsThatRecord()
    {
        var profile = new TlsProfile(0x1302, ServerHelloExtensionOrder.KeyShareFirst, 0x11ec, [new RecordLengthRange(4000, 4010)], "one");

        Assert.Equal((4000, 4010), (profile.ApplicationDataLength.Minimum, profile.ApplicationDataLength.Maximum));
    }

    [Fact]
    public void ApplicationDataLength_SiteFlightOverTdlibLimit_CappedAt16384()
    {
        var profile = new TlsProfile(
            0x1301, ServerHelloExtensionOrder.KeyShareFirst, 0x001d,
            [RecordLengthRange.Exactly(10000), new RecordLengthRange(6000, 9000)], "big");

        Assert.Equal((16005, 16384), (profile.ApplicationDataLength.Minimum, profile.ApplicationDataLength.Maximum));
    }

    [Fact]
    public void Choose_TelegramHello_TakesTheProfilesSuiteOrderAndGroup()
    {
        var profile = new TlsProfile(0x1302, ServerHelloExtensionOrder.SupportedVersionsFirst, 0x11ec, [RecordLengthRange.Exactly(3000)], "x");

        var shape = profile.Choose(ClientHelloOffer.Read(PostQuantumHello()), clientCipherSuite: 0x1301, random: 12345);

        Assert.Equal(new ServerFlightShape(0x1302, ServerHelloExtensionOrder.SupportedVersionsFirst, 0x11ec, 3000), shape);
    }

    [Fact]
    public void Choose_HelloWithoutHybridShare_AnswersX25519()
    {
        var profile = new TlsProfile(0x1301, ServerHelloExtensionOrder.KeyShareFirst, 0x11ec, [RecordLengthRange.Exactly(3000)], "x");

        var shape = profile.Choose(ClientHelloOffer.Read(Bytes(ClientHelloRecord)), 0x1301, 0);

        Assert.Equal(0x001d, shape.KeyShareGroup);
    }

    [Fact]
    public void Choose_SuiteTheClientDidNotOffer_FallsBackToTheClientsFirst()
    {
        var shape = Nginx.Choose(default, clientCipherSuite: 0x1303, random: 0);

        Assert.Equal(0x1303, shape.CipherSuite);
    }

    [Property(MaxTest = 300)]
    public bool Choose_AnyRandom_LengthWithinTheSummedRanges(uint random)
    {
        var length = Nginx.Choose(default, 0x1301, random).ApplicationDataLength;
        return length is >= 2262 and <= 2264;
    }

    [Fact]
    public void Choose_ManyRandoms_ReachesEveryLengthOfTheRange()
    {
        var seen = new HashSet<int>();
        for (uint random = 0; random < 30; random++)
        {
            seen.Add(Nginx.Choose(default, 0x1301, random * 7919).ApplicationDataLength);
        }

        Assert.Equal([2262, 2263, 2264], seen.Order());
    }

    [Theory]
    [InlineData(0xc02f, 0, 0x001d, 1)]
    [InlineData(0x1301, 5, 0x001d, 1)]
    [InlineData(0x1301, 0, 0x0017, 1)]
    [InlineData(0x1301, 0, 0x001d, 0)]
    [InlineData(0x1301, 0, 0x001d, 33)]
    public void Constructor_ValuesAProfileCannotHold_Throw(int suite, int order, int group, int records)
    {
        var ranges = Enumerable.Repeat(RecordLengthRange.Exactly(100), records).ToArray();

        Assert.ThrowsAny<ArgumentException>(() => new TlsProfile((ushort)suite, (ServerHelloExtensionOrder)order, (ushort)group, ranges, "x"));
    }

    [Theory]
    [InlineData(0, 5)]
    [InlineData(6, 5)]
    [InlineData(1, 16641)]
    public void RecordLengthRange_OutOfBounds_Throws(int minimum, int maximum)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RecordLengthRange(minimum, maximum));
    }

    [Fact]
    public void Equals_SameValuesInNewArrays_Equal()
    {
        var copy = new TlsProfile(
            0x1301, ServerHelloExtensionOrder.SupportedVersionsFirst, 0x001d,
            [RecordLengthRange.Exactly(36), RecordLengthRange.Exactly(2063), new RecordLengthRange(95, 97), RecordLengthRange.Exactly(53)],
            "test");
        var other = new TlsProfile(
            0x1301, ServerHelloExtensionOrder.SupportedVersionsFirst, 0x001d,
            [RecordLengthRange.Exactly(36), RecordLengthRange.Exactly(2063), new RecordLengthRange(95, 98), RecordLengthRange.Exactly(53)],
            "test");

        Assert.Equal(Nginx, copy);
        Assert.Equal(Nginx.GetHashCode(), copy.GetHashCode());
        Assert.NotEqual(Nginx, other);
    }

    [Fact]
    public void BuiltIn_ExampleCom_IsTheMeasuredNginxFlight()
    {
        var profile = BuiltInTlsProfile.For("example.com");

        Assert.Equal(0x1301, profile.CipherSuite);
        Assert.Equal(ServerHelloExtensionOrder.SupportedVersionsFirst, profile.ExtensionOrder);
        Assert.Equal(0x001d, profile.KeyShareGroup);
        Assert.Equal(
            [RecordLengthRange.Exactly(36), RecordLengthRange.Exactly(2042), new RecordLengthRange(95, 97), RecordLengthRange.Exactly(53)],
            profile.EncryptedRecords);
        Assert.Equal((2241, 2243), (profile.ApplicationDataLength.Minimum, profile.ApplicationDataLength.Maximum));
    }

    [Fact]
    public void BuiltIn_LongerDomain_LongerCertificateRecord()
    {
        Assert.Equal(2020 + (2 * 27), BuiltInTlsProfile.For("www.some-longer-example.org").EncryptedRecords[1].Minimum);
    }

    /// <summary>The proxy's flight for a profile: the record structure a DPI box sees, and the client's check.</summary>
    [Property(MaxTest = 100)]
    public void BuiltFlight_AnyProfile_HasTheProfilesShapeAndPassesTheClientCheck(int seed)
    {
        var random = new Random(seed);
        var profile = RandomProfile(random);
        var hello = random.Next(2) == 0 ? PostQuantumHello() : Bytes(ClientHelloRecord);
        var offer = ClientHelloOffer.Read(hello);
        var shape = profile.Choose(offer, 0x1301, (uint)random.Next());
        var key = FakeTlsTestData.RandomBytes(random, 16);
        var clientRandom = FakeTlsTestData.RandomBytes(random, 32);
        var sessionId = FakeTlsTestData.RandomBytes(random, 32);
        var keyShare = FakeTlsTestData.RandomBytes(random, ServerHelloFlight.GetKeyShareLength(shape.KeyShareGroup));
        var flight = new byte[ServerHelloFlight.GetLength(shape.ApplicationDataLength, 32, shape.KeyShareGroup)];

        ServerHelloFlight.Build(
            key, clientRandom, sessionId, shape.CipherSuite, shape.ExtensionOrder, shape.KeyShareGroup, keyShare,
            new byte[shape.ApplicationDataLength], flight);

        Assert.Equal(ServerFlightStatus.Ok, ServerFlightVerifier.Verify(key, clientRandom, flight, out var consumed));
        Assert.Equal(flight.Length, consumed);
        Assert.Equal(MaskSiteFlightStatus.Ok, MaskSiteFlight.TryParse(flight, sessionId, out var parsed));
        Assert.Equal(profile.CipherSuite, parsed.CipherSuite);
        Assert.Equal(profile.ExtensionOrder, parsed.ExtensionOrder);
        var expectedGroup = profile.KeyShareGroup == 0x11ec && offer.OffersHybridKeyShare ? 0x11ec : 0x001d;
        Assert.Equal(expectedGroup, parsed.KeyShareGroup);
        var lengths = new int[4];
        Assert.Equal(MaskSiteFlightStatus.Ok, MaskSiteFlight.TryReadEncryptedRecords(flight.AsSpan(parsed.EncryptedRecordsOffset), lengths, out var count));
        Assert.Equal(1, count);
        Assert.InRange(lengths[0], profile.ApplicationDataLength.Minimum, profile.ApplicationDataLength.Maximum);
        Assert.InRange(lengths[0], 1, 16384);
    }

    internal static TlsProfile RandomProfile(Random random)
    {
        var ranges = new RecordLengthRange[random.Next(1, 8)];
        for (var i = 0; i < ranges.Length; i++)
        {
            var minimum = random.Next(1, 5000);
            ranges[i] = new RecordLengthRange(minimum, minimum + random.Next(0, 4));
        }

        return new TlsProfile(
            (ushort)(0x1301 + random.Next(3)),
            (ServerHelloExtensionOrder)random.Next(2),
            random.Next(2) == 0 ? (ushort)0x001d : (ushort)0x11ec,
            ranges,
            $"random {random.Next()}");
    }

    internal static byte[] PostQuantumHello()
    {
        var random = new Random(11);
        var entropy = FakeTlsTestData.RandomBytes(random, ClientHelloBuilder.GetEntropyLength(ClientHelloShape.PostQuantum));
        var hello = new byte[ClientHelloBuilder.GetLength(ClientHelloShape.PostQuantum, Domain.Length, entropy)];
        ClientHelloBuilder.Build(Bytes(Key), Domain, HelloUnixTime, entropy, ClientHelloShape.PostQuantum, hello);
        return hello;
    }
}
