using System.Buffers.Binary;
using FsCheck.Xunit;
using Gozar.Protocol.FakeTls;
using static Gozar.Protocol.Tests.FakeTls.FakeTlsVectors;

namespace Gozar.Protocol.Tests.FakeTls;

public class ClientHelloBuilderTests
{
    [Fact]
    public void Build_SpecInputs_ReproducesSpecHelloExactly()
    {
        var hello = FakeTlsTestData.BuildHello(Bytes(Key), Domain, HelloUnixTime, ClientHelloEntropy(), ClientHelloShape.Classic);

        Assert.Equal(ClientHelloRecord, Convert.ToHexStringLower(hello));
    }

    [Fact]
    public void Build_PostQuantum_AddsHybridGroupAndShareAndAuthenticates()
    {
        var random = new Random(7);
        var entropy = FakeTlsTestData.RandomBytes(random, ClientHelloBuilder.GetEntropyLength(ClientHelloShape.PostQuantum));
        var hello = FakeTlsTestData.BuildHello(Bytes(Key), Domain, HelloUnixTime, entropy, ClientHelloShape.PostQuantum);

        Assert.InRange(hello.Length, 1700, 1900);
        Assert.Equal(hello.Length - 5, BinaryPrimitives.ReadUInt16BigEndian(hello.AsSpan(3)));
        var share = FindKeyShare(hello, 0x11ec);
        Assert.Equal(1216, share.Length);
        Assert.True(AllMlKemCoefficientsBelowQ(share[..1152]));
        Assert.Equal(entropy.AsSpan(1253, 32).ToArray(), share[1184..].ToArray());
        Assert.Equal(entropy.AsSpan(37, 32).ToArray(), FindKeyShare(hello, 0x001d).ToArray());
        Assert.False(TryFindExtension(hello, 0x0015, out _));
        Assert.True(TryFindExtension(hello, 0xfe0d, out var ech));
        Assert.Equal(46 - 4 + 144 + (32 * (entropy[1286] & 3)), ech.Length);
        Assert.True(TryFindExtension(hello, 0x44cd, out _));

        var result = ClientHelloValidator.Validate(hello, [Bytes(Key)], HelloUnixTime, ClockSkewWindow.Default, [Domain]);
        Assert.Equal(ClientHelloOutcome.Authenticated, result.Outcome);
    }

    [Fact]
    public void Build_DomainTooLongForPadding_EmitsNoPaddingExtension()
    {
        var domain = new string('a', 240);
        var hello = FakeTlsTestData.BuildHello(Bytes(Key), domain, HelloUnixTime, ClientHelloEntropy(), ClientHelloShape.Classic);

        Assert.Equal(289 + 240, hello.Length);
        Assert.Equal(ClientHelloStatus.Ok, ClientHello.TryParse(hello, out var parsed));
        Assert.Equal(domain, System.Text.Encoding.ASCII.GetString(parsed.ServerName));
    }

    [Theory]
    [InlineData("")]
    [InlineData("пример.рф")]
    public void Build_InvalidDomain_Throws(string domain)
    {
        var destination = new byte[4096];
        Assert.Throws<ArgumentException>(() =>
            ClientHelloBuilder.Build(Bytes(Key), domain, HelloUnixTime, ClientHelloEntropy(), ClientHelloShape.Classic, destination));
    }

    [Fact]
    public void Build_ShortEntropyForPostQuantum_Throws()
    {
        var destination = new byte[4096];
        Assert.Throws<ArgumentException>(() =>
            ClientHelloBuilder.Build(Bytes(Key), Domain, HelloUnixTime, ClientHelloEntropy(), ClientHelloShape.PostQuantum, destination));
    }

    [Property(MaxTest = 200)]
    public void Build_AnyDomainAndShape_LengthMatchesGetLengthAndParses(int seed, bool postQuantum)
    {
        var random = new Random(seed);
        var shape = postQuantum ? ClientHelloShape.PostQuantum : ClientHelloShape.Classic;
        var domain = FakeTlsTestData.RandomDomain(random);
        var entropy = FakeTlsTestData.RandomBytes(random, ClientHelloBuilder.GetEntropyLength(shape));
        var destination = new byte[4096];

        var written = ClientHelloBuilder.Build(Bytes(Key), domain, HelloUnixTime, entropy, shape, destination);

        Assert.Equal(ClientHelloBuilder.GetLength(shape, domain.Length, entropy), written);
        Assert.True(written <= ClientHelloBuilder.GetMaxLength(shape, domain.Length));
        if (shape == ClientHelloShape.Classic && domain.Length <= 224)
        {
            Assert.Equal(ClientHelloBuilder.ClassicLength, written);
        }

        Assert.Equal(ClientHelloStatus.Ok, ClientHello.TryParse(destination.AsSpan(0, written), out var hello));
        Assert.Equal(entropy.AsSpan(0, 32).ToArray(), hello.SessionId.ToArray());
        Assert.Equal(domain, System.Text.Encoding.ASCII.GetString(hello.ServerName));
        Assert.Equal(0x1301, hello.CipherSuite);
    }

    [Property(MaxTest = 200)]
    public bool Build_AnyGreaseSeeds_GreaseValuesAreReservedAndAdjacentDistinct(byte[] seeds)
    {
        var entropy = ClientHelloEntropy();
        for (var i = 0; i < Math.Min(seeds.Length, 5); i++)
        {
            entropy[32 + i] = seeds[i];
        }

        var hello = FakeTlsTestData.BuildHello(Bytes(Key), Domain, HelloUnixTime, entropy, ClientHelloShape.Classic);

        // GREASE positions in the fixed layout: cipher list, first extension, groups, versions, last extension.
        int[] offsets = [78, 114, 153, 282, 295];
        for (var i = 0; i < offsets.Length; i++)
        {
            var value = hello[offsets[i]];
            if ((value & 0x0f) != 0x0a || hello[offsets[i] + 1] != value)
            {
                return false;
            }

            if (i > 0 && value == hello[offsets[i - 1]])
            {
                return false;
            }
        }

        return hello[230] == hello[153];
    }

    private static ReadOnlySpan<byte> FindKeyShare(byte[] hello, ushort group)
    {
        Assert.True(TryFindExtension(hello, 0x0033, out var data));
        var position = 2;
        while (position < data.Length)
        {
            var entryGroup = BinaryPrimitives.ReadUInt16BigEndian(data[position..]);
            var length = BinaryPrimitives.ReadUInt16BigEndian(data[(position + 2)..]);
            if (entryGroup == group)
            {
                return data.Slice(position + 4, length);
            }

            position += 4 + length;
        }

        return default;
    }

    /// <summary>Walks the extensions independently of the library's parser.</summary>
    private static bool TryFindExtension(byte[] hello, ushort type, out ReadOnlySpan<byte> data)
    {
        var position = 44 + hello[43];
        position += 2 + BinaryPrimitives.ReadUInt16BigEndian(hello.AsSpan(position));
        position += 1 + hello[position];
        position += 2;
        while (position < hello.Length)
        {
            var extensionType = BinaryPrimitives.ReadUInt16BigEndian(hello.AsSpan(position));
            var length = BinaryPrimitives.ReadUInt16BigEndian(hello.AsSpan(position + 2));
            if (extensionType == type)
            {
                data = hello.AsSpan(position + 4, length);
                return true;
            }

            position += 4 + length;
        }

        data = default;
        return false;
    }

    private static bool AllMlKemCoefficientsBelowQ(ReadOnlySpan<byte> packed)
    {
        for (var i = 0; i < packed.Length; i += 3)
        {
            var low = packed[i] | ((packed[i + 1] & 0x0f) << 8);
            var high = (packed[i + 1] >> 4) | (packed[i + 2] << 4);
            if (low >= 3329 || high >= 3329)
            {
                return false;
            }
        }

        return true;
    }
}
