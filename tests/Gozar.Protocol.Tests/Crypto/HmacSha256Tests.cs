using System.Security.Cryptography;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Gozar.Protocol.Crypto;

namespace Gozar.Protocol.Tests.Crypto;

public class HmacSha256Tests
{
    private static readonly Gen<byte> Bytes = Gen.Choose(0, 255).Select(b => (byte)b);

    // RFC 4231 test case 2.
    [Fact]
    public void Compute_Rfc4231Case2_MatchesPublishedDigest()
    {
        var digest = new byte[Sha256.HashSize];

        new HmacSha256("Jefe"u8).Compute("what do ya want for nothing?"u8, digest);

        Assert.Equal("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", Convert.ToHexStringLower(digest));
    }

    [Property(MaxTest = 300)]
    public Property Compute_KeysUpToOneBlock_EqualsSystemHmac() =>
        Prop.ForAll(
            Gen.Choose(0, Sha256.BlockSize).SelectMany(length => Gen.ArrayOf(Bytes, length)).ToArbitrary(),
            Gen.Choose(0, 300).SelectMany(length => Gen.ArrayOf(Bytes, length)).ToArbitrary(),
            (key, message) =>
            {
                var digest = new byte[Sha256.HashSize];
                new HmacSha256(key).Compute(message, digest);
                Assert.Equal(HMACSHA256.HashData(key, message), digest);
            });

    [Fact]
    public void Compute_OneKeyManyMessages_EachEqualsSystemHmac()
    {
        var key = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        var mac = new HmacSha256(key);
        var digest = new byte[Sha256.HashSize];

        for (var length = 0; length < 150; length += 7)
        {
            var message = Enumerable.Range(0, length).Select(i => (byte)(i * 13)).ToArray();
            mac.Compute(message, digest);
            Assert.Equal(HMACSHA256.HashData(key, message), digest);
        }
    }

    [Fact]
    public void Constructor_KeyLongerThanBlock_Throws()
    {
        Assert.Throws<ArgumentException>(() => new HmacSha256(new byte[Sha256.BlockSize + 1]));
    }
}
