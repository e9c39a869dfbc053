using System.Security.Cryptography;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Gozar.Protocol.Crypto;

namespace Gozar.Protocol.Tests.Crypto;

public class Sha256Tests
{
    private static readonly Gen<byte> Bytes = Gen.Choose(0, 255).Select(b => (byte)b);

    // FIPS 180-2 appendix B (one block, two blocks) and the empty message.
    [Theory]
    [InlineData("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    [InlineData("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")]
    public void HashData_FipsVectors_MatchesPublishedDigest(string message, string expected)
    {
        var digest = new byte[Sha256.HashSize];

        Sha256.HashData(Encoding.ASCII.GetBytes(message), digest);

        Assert.Equal(expected, Convert.ToHexStringLower(digest));
    }

    [Fact]
    public void HashData_MillionAs_MatchesPublishedDigest()
    {
        var digest = new byte[Sha256.HashSize];

        Sha256.HashData(Enumerable.Repeat((byte)'a', 1_000_000).ToArray(), digest);

        Assert.Equal("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0", Convert.ToHexStringLower(digest));
    }

    [Property(MaxTest = 300)]
    public void Append_RandomMessageInRandomPieces_EqualsSystemSha256(byte[] message, PositiveInt[] cuts)
    {
        var hash = new Sha256();
        var offset = 0;
        foreach (var cut in cuts)
        {
            var length = Math.Min(cut.Get % 97, message.Length - offset);
            hash.Append(message.AsSpan(offset, length));
            offset += length;
        }

        hash.Append(message.AsSpan(offset));
        var digest = new byte[Sha256.HashSize];
        hash.Finish(digest);

        Assert.Equal(SHA256.HashData(message), digest);
    }

    [Property(MaxTest = 300)]
    public Property HashData_EveryLengthAroundBlockEdges_EqualsSystemSha256() =>
        Prop.ForAll(Gen.Choose(0, 200).SelectMany(length => Gen.ArrayOf(Bytes, length)).ToArbitrary(), message =>
        {
            var digest = new byte[Sha256.HashSize];
            Sha256.HashData(message, digest);
            Assert.Equal(SHA256.HashData(message), digest);
        });

    [SkippableFact]
    public void CompressManaged_RandomStatesAndBlocks_EqualsLibCrypto()
    {
        Skip.IfNot(LibCryptoSha256.IsAvailable, "libcrypto.so.3 is not on this machine");
        var random = new Random(256);
        for (var trial = 0; trial < 200; trial++)
        {
            var words = new uint[8];
            for (var i = 0; i < words.Length; i++)
            {
                words[i] = (uint)random.NextInt64(0, 1L << 32);
            }

            var blocks = new byte[Sha256.BlockSize * random.Next(1, 9)];
            random.NextBytes(blocks);
            var start = new Sha256.State { A = words[0], B = words[1], C = words[2], D = words[3], E = words[4], F = words[5], G = words[6], H = words[7] };
            var managed = start;
            var native = start;

            Sha256.CompressManaged(ref managed, blocks);
            LibCryptoSha256.Compress(ref native, blocks);

            Assert.Equal(managed, native);
        }
    }

    [Fact]
    public void Finish_ShortDestination_Throws()
    {
        Assert.Throws<ArgumentException>(() =>
        {
            var hash = new Sha256();
            hash.Finish(new byte[Sha256.HashSize - 1]);
        });
    }
}
