using FsCheck.Xunit;
using Gozar.Protocol.FakeTls;
using static Gozar.Protocol.Tests.FakeTls.FakeTlsVectors;

namespace Gozar.Protocol.Tests.FakeTls;

public class ClientHelloAssemblerTests
{
    [Fact]
    public void TryAssemble_SingleRecordWithTrailingBytes_CopiesRecordAndConsumesOnlyIt()
    {
        var hello = Bytes(ClientHelloRecord);
        byte[] input = [.. hello, 0x14, 0x03, 0x03];
        var destination = new byte[ClientHelloAssembler.MaxAssembledLength];

        var status = ClientHelloAssembler.TryAssemble(input, destination, out var consumed, out var written, out _);

        Assert.Equal(ClientHelloStatus.Ok, status);
        Assert.Equal(517, consumed);
        Assert.Equal(hello, destination[..written]);
    }

    [Fact]
    public void TryAssemble_ThreeFragments_RebuildsSpecHelloThatValidates()
    {
        var hello = Bytes(ClientHelloRecord);
        var input = FakeTlsTestData.Fragment(hello, [1, 300, 211]);
        var destination = new byte[ClientHelloAssembler.MaxAssembledLength];

        var status = ClientHelloAssembler.TryAssemble(input, destination, out var consumed, out var written, out _);

        Assert.Equal(ClientHelloStatus.Ok, status);
        Assert.Equal(517 + 10, consumed);
        Assert.Equal(hello, destination[..written]);
        var result = ClientHelloValidator.Validate(destination.AsSpan(0, written), Keys(Key), 1700000003, ClockSkewWindow.Default, [Domain]);
        Assert.Equal(ClientHelloOutcome.Authenticated, result.Outcome);
    }

    [Fact]
    public void TryAssemble_HandshakeHeaderSplitAcrossFragments_Reassembles()
    {
        var hello = Bytes(ClientHelloRecord);
        var input = FakeTlsTestData.Fragment(hello, [1, 1, 1, 1, 508]);
        var destination = new byte[ClientHelloAssembler.MaxAssembledLength];

        var status = ClientHelloAssembler.TryAssemble(input, destination, out _, out var written, out _);

        Assert.Equal(ClientHelloStatus.Ok, status);
        Assert.Equal(hello, destination[..written]);
    }

    [Fact]
    public void TryAssemble_TenFragments_OkButElevenMalformed()
    {
        var hello = Bytes(ClientHelloRecord);
        var destination = new byte[ClientHelloAssembler.MaxAssembledLength];
        var ten = FakeTlsTestData.Fragment(hello, [51, 51, 51, 51, 51, 51, 51, 51, 51, 53]);
        var eleven = FakeTlsTestData.Fragment(hello, [51, 51, 51, 51, 51, 51, 51, 51, 51, 51, 2]);

        Assert.Equal(ClientHelloStatus.Ok, ClientHelloAssembler.TryAssemble(ten, destination, out _, out _, out _));
        Assert.Equal(ClientHelloStatus.Malformed, ClientHelloAssembler.TryAssemble(eleven, destination, out _, out _, out _));
    }

    [Fact]
    public void TryAssemble_FragmentRunsPastMessageEnd_Malformed()
    {
        var hello = Bytes(ClientHelloRecord);
        byte[] longer = [.. hello, 0x00];
        var input = FakeTlsTestData.Fragment(longer, [200, 313]);
        var destination = new byte[ClientHelloAssembler.MaxAssembledLength];

        Assert.Equal(ClientHelloStatus.Malformed, ClientHelloAssembler.TryAssemble(input, destination, out _, out _, out _));
    }

    [Fact]
    public void TryAssemble_SecondFragmentNotHandshake_Malformed()
    {
        var input = FakeTlsTestData.Fragment(Bytes(ClientHelloRecord), [200, 312]);
        input[205] = 0x17;
        var destination = new byte[ClientHelloAssembler.MaxAssembledLength];

        Assert.Equal(ClientHelloStatus.Malformed, ClientHelloAssembler.TryAssemble(input, destination, out _, out _, out _));
    }

    [Theory]
    [InlineData("17")]
    [InlineData("1603")]
    [InlineData("160303")]
    [InlineData("474554202f20")]
    public void TryAssemble_OtherProtocolFirstBytes_NotHandshakeRecordEarly(string hex)
    {
        var destination = new byte[ClientHelloAssembler.MaxAssembledLength];
        var input = Bytes(hex);
        var expected = hex is "1603" ? ClientHelloStatus.NeedMoreData : ClientHelloStatus.NotHandshakeRecord;

        Assert.Equal(expected, ClientHelloAssembler.TryAssemble(input, destination, out var consumed, out _, out _));
        Assert.Equal(0, consumed);
    }

    [Fact]
    public void TryAssemble_ServerHelloTypeInFirstPayloadByte_NotClientHelloBeforeRecordComplete()
    {
        var destination = new byte[ClientHelloAssembler.MaxAssembledLength];

        var status = ClientHelloAssembler.TryAssemble(Bytes("160301020002"), destination, out _, out _, out _);

        Assert.Equal(ClientHelloStatus.NotClientHello, status);
    }

    [Theory]
    [InlineData("1603010000")]
    [InlineData("1603014001")]
    public void TryAssemble_RecordLengthZeroOrAbove16384_Malformed(string header)
    {
        var destination = new byte[ClientHelloAssembler.MaxAssembledLength];

        Assert.Equal(ClientHelloStatus.Malformed, ClientHelloAssembler.TryAssemble(Bytes(header), destination, out _, out _, out _));
    }

    [Fact]
    public void TryAssemble_DestinationBelowMaximum_Throws()
    {
        var destination = new byte[ClientHelloAssembler.MaxAssembledLength - 1];

        Assert.Throws<ArgumentException>(() =>
            ClientHelloAssembler.TryAssemble(Bytes(ClientHelloRecord), destination, out _, out _, out _));
    }

    [Property(MaxTest = 100)]
    public void TryAssemble_EveryPrefixOfFragmentedHello_NeedMoreDataWithReachableNeed(int seed)
    {
        var random = new Random(seed);
        var hello = Bytes(ClientHelloRecord);
        var input = FakeTlsTestData.Fragment(hello, FakeTlsTestData.RandomSizes(random, 512, random.Next(1, 11)));
        var destination = new byte[ClientHelloAssembler.MaxAssembledLength];

        for (var length = 0; length < input.Length; length++)
        {
            var status = ClientHelloAssembler.TryAssemble(input.AsSpan(0, length), destination, out var consumed, out _, out var needed);
            Assert.Equal(ClientHelloStatus.NeedMoreData, status);
            Assert.Equal(0, consumed);
            Assert.InRange(needed, 1, input.Length - length);
        }

        Assert.Equal(ClientHelloStatus.Ok, ClientHelloAssembler.TryAssemble(input, destination, out _, out _, out _));
    }

    [Property(MaxTest = 100)]
    public void TryAssemble_RandomFragmentationOfBuiltHellos_RoundTripsAndValidates(int seed, bool postQuantum)
    {
        var random = new Random(seed);
        var shape = postQuantum ? ClientHelloShape.PostQuantum : ClientHelloShape.Classic;
        var key = FakeTlsTestData.RandomBytes(random, 16);
        var domain = FakeTlsTestData.RandomDomain(random);
        var entropy = FakeTlsTestData.RandomBytes(random, ClientHelloBuilder.GetEntropyLength(shape));
        var hello = FakeTlsTestData.BuildHello(key, domain, 1700000000, entropy, shape);
        var input = FakeTlsTestData.Fragment(hello, FakeTlsTestData.RandomSizes(random, hello.Length - 5, random.Next(1, 11)));
        var destination = new byte[ClientHelloAssembler.MaxAssembledLength];

        var status = ClientHelloAssembler.TryAssemble(input, destination, out var consumed, out var written, out _);

        Assert.Equal(ClientHelloStatus.Ok, status);
        Assert.Equal(input.Length, consumed);
        Assert.Equal(hello, destination[..written]);
        var result = ClientHelloValidator.Validate(destination.AsSpan(0, written), [key], 1700000000, ClockSkewWindow.Default, [domain]);
        Assert.Equal(ClientHelloOutcome.Authenticated, result.Outcome);
    }

    [Property(MaxTest = 500)]
    public bool TryAssemble_RandomBytesBehindHandshakeHeader_NeverThrows(byte[] tail)
    {
        byte[] input = [0x16, 0x03, 0x01, .. tail];
        var destination = new byte[ClientHelloAssembler.MaxAssembledLength];
        var status = ClientHelloAssembler.TryAssemble(input, destination, out var consumed, out var written, out var needed);
        return Enum.IsDefined(status)
            && consumed <= input.Length
            && written <= destination.Length
            && (status != ClientHelloStatus.NeedMoreData || needed > 0);
    }
}
