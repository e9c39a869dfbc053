using Gozar.Protocol.FakeTls;
using static Gozar.Protocol.Tests.FakeTls.FakeTlsVectors;

namespace Gozar.Protocol.Tests.FakeTls;

public class ClientHelloOfferTests
{
    [Fact]
    public void Read_SpecHello_OffersTheThreeSuitesButNoHybridShare()
    {
        var offer = ClientHelloOffer.Read(Bytes(ClientHelloRecord));

        Assert.True(offer.OffersCipherSuite(0x1301));
        Assert.True(offer.OffersCipherSuite(0x1302));
        Assert.True(offer.OffersCipherSuite(0x1303));
        Assert.False(offer.OffersCipherSuite(0xc02f));
        Assert.False(offer.OffersHybridKeyShare);
    }

    [Theory]
    [InlineData(ClientHelloShape.Classic, false)]
    [InlineData(ClientHelloShape.PostQuantum, true)]
    public void Read_BuiltHello_SeesHybridShareOnlyInPostQuantumShape(ClientHelloShape shape, bool hybrid)
    {
        var random = new Random(3);
        var entropy = FakeTlsTestData.RandomBytes(random, ClientHelloBuilder.GetEntropyLength(shape));
        var hello = new byte[ClientHelloBuilder.GetLength(shape, Domain.Length, entropy)];
        ClientHelloBuilder.Build(Bytes(Key), Domain, HelloUnixTime, entropy, shape, hello);

        Assert.Equal(hybrid, ClientHelloOffer.Read(hello).OffersHybridKeyShare);
    }

    [Fact]
    public void Read_HelloOfferingOnlyOneSuite_OffersOnlyThatOne()
    {
        // The spec hello with its cipher list cut to GREASE + 13 02 (lengths fixed up).
        var hello = Bytes(ClientHelloRecord).ToList();
        var listLength = (hello[76] << 8) | hello[77];
        hello.RemoveRange(78, listLength);
        hello.InsertRange(78, [0x0a, 0x0a, 0x13, 0x02]);
        hello[76] = 0;
        hello[77] = 4;
        var record = hello.ToArray();
        var payload = record.Length - 5;
        record[3] = (byte)(payload >> 8);
        record[4] = (byte)payload;
        record[7] = (byte)((payload - 4) >> 8);
        record[8] = (byte)(payload - 4);
        Assert.Equal(ClientHelloStatus.Ok, ClientHello.TryParse(record, out _));

        var offer = ClientHelloOffer.Read(record);

        Assert.False(offer.OffersCipherSuite(0x1301));
        Assert.True(offer.OffersCipherSuite(0x1302));
    }

    [Theory]
    [InlineData("")]
    [InlineData("160301")]
    [InlineData("16030100ff0100")]
    public void Read_TruncatedInput_OffersNothing(string hex)
    {
        var offer = ClientHelloOffer.Read(Bytes(hex));

        Assert.False(offer.OffersCipherSuite(0x1301));
        Assert.False(offer.OffersHybridKeyShare);
    }
}
