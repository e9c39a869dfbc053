using System.Numerics;
using FsCheck;
using FsCheck.Fluent;
using Gozar.Protocol.Crypto;

namespace Gozar.Protocol.Tests.Crypto;

public class X25519Tests
{
    private const string AlicePrivate = "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
    private const string AlicePublic = "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";
    private const string BobPrivate = "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb";
    private const string BobPublic = "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f";
    private const string SharedSecret = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";

    // RFC 7748 §5.2, and random cases cross-checked with OpenSSL's X25519 (through python's
    // cryptography): non-canonical u (>= p), a set top bit (ignored), the all-ones 255-bit value.
    [Theory]
    [InlineData(
        "a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
        "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
        "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552")]
    [InlineData(
        "4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
        "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493",
        "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957")]
    [InlineData(
        "a54dca182530bb1d6d132cded6237b2ed91e3f721fcb1971174494d6493c9d5c",
        "3460be31201e69fedaa0eee8b9997f5c7c2999fdafe593253cd654af4dfad714",
        "7eefe1a6f42eb95156d158e76bb54278def1cd810a2b81be2809ebffc401e91a")]
    [InlineData(
        "27a0aeb3fee9232f8af2211f9ee491c5b10becb5563bfc1e6f93427ecbc8fe29",
        "55e5cd8e46dc8ed4b7c2764d2a5a4d767706f85d8690024ad6bda3401be9c8cb",
        "e08aa2fcf680b5dc1265371c50467862d2ee38d80a5b20f57e670462ccc6bf23")]
    [InlineData(
        "ccc935f6cd1f61226ae15338ae1a34004d33ba0d246ac04c81b1baf23e3bf9ee",
        "f5f79f2b4934af87f5520b69b94b0d982e85bb55b672a872637acd7466fcb60e",
        "5a97b3d28567e78872ee44b9b3389835baba11e9d61af6e933c023a95869587f")]
    [InlineData(
        "0e8ff18463b0e4b2ba29703474f064ac68f700f5b02b3dc666f45bdeaa2ccaed",
        "cd2b5157410e4dee4af2b34f430a073447de636c0e806c957ba684d6431fb5ea",
        "8bacd3afe800b724ed83695e013281262eb044bba7da31d003ad3d7cb5e8a63c")]
    [InlineData(
        "d7424d09e15d024c5848f23d1fa6f7361d7f618d1532e70e20e2a6668de7f47e",
        "f6ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "99466c358718e825522f93b189e2ca17c1a489e736b88495238ccddc8e75e754")]
    [InlineData(
        "d7424d09e15d024c5848f23d1fa6f7361d7f618d1532e70e20e2a6668de7f47e",
        "0900000000000000000000000000000000000000000000000000000000000080",
        "99466c358718e825522f93b189e2ca17c1a489e736b88495238ccddc8e75e754")]
    [InlineData(
        "d7424d09e15d024c5848f23d1fa6f7361d7f618d1532e70e20e2a6668de7f47e",
        "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "6f15151eaae74809ff814c7ecc808133fad5520c1c8fb55e691b4f838696c334")]
    public void ScalarMult_KnownVectors_MatchesExpected(string scalar, string u, string expected)
    {
        var result = new byte[32];

        X25519.ScalarMult(Convert.FromHexString(scalar), Convert.FromHexString(u), result);

        Assert.Equal(expected, Convert.ToHexStringLower(result));
    }

    [Theory]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")]
    public void ScalarMult_LowOrderPoint_ReturnsZero(string u)
    {
        var result = new byte[32];
        result.AsSpan().Fill(0xAA);

        X25519.ScalarMult(Convert.FromHexString(AlicePrivate), Convert.FromHexString(u), result);

        Assert.Equal(new byte[32], result);
    }

    [Theory]
    [InlineData(1, "422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079")]
    [InlineData(1000, "684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51")]
    public void ScalarMult_RfcIterated_MatchesExpected(int iterations, string expected)
    {
        // RFC 7748 §5.2: k = u = 9, then repeatedly (k, u) = (X25519(k, u), k).
        var k = new byte[32];
        var u = new byte[32];
        k[0] = 9;
        u[0] = 9;
        var next = new byte[32];

        for (var i = 0; i < iterations; i++)
        {
            X25519.ScalarMult(k, u, next);
            k.CopyTo(u, 0);
            next.CopyTo(k, 0);
        }

        Assert.Equal(expected, Convert.ToHexStringLower(k));
    }

    [Theory]
    [InlineData(AlicePrivate, AlicePublic)]
    [InlineData(BobPrivate, BobPublic)]
    public void PublicKeyFromPrivate_Rfc7748Section61_MatchesPublicKey(string privateKey, string publicKey)
    {
        var result = new byte[32];

        X25519.PublicKeyFromPrivate(Convert.FromHexString(privateKey), result);

        Assert.Equal(publicKey, Convert.ToHexStringLower(result));
    }

    [Theory]
    [InlineData(AlicePrivate, BobPublic)]
    [InlineData(BobPrivate, AlicePublic)]
    public void ScalarMult_Rfc7748Section61_BothSidesShareSecret(string privateKey, string peerPublic)
    {
        var result = new byte[32];

        X25519.ScalarMult(Convert.FromHexString(privateKey), Convert.FromHexString(peerPublic), result);

        Assert.Equal(SharedSecret, Convert.ToHexStringLower(result));
    }

    [Fact]
    public void PublicKeyFromPrivate_SpecVector84_MatchesServerKeyShare()
    {
        var scalar = new byte[32];
        for (var i = 0; i < scalar.Length; i++)
        {
            scalar[i] = (byte)(i + 1);
        }

        var result = new byte[32];

        X25519.PublicKeyFromPrivate(scalar, result);

        Assert.Equal("07a37cbc142093c8b755dc1b10e86cb426374ad16aa853ed0bdfc0b2b86d1c7c", Convert.ToHexStringLower(result));
    }

    [Fact]
    public void ScalarMult_ScalarIsClamped_UnclampedBitsDoNotMatter()
    {
        var scalar = Convert.FromHexString(AlicePrivate);
        var flipped = (byte[])scalar.Clone();
        flipped[0] ^= 0x07;
        flipped[31] ^= 0xC0;
        var expected = new byte[32];
        var result = new byte[32];

        X25519.PublicKeyFromPrivate(scalar, expected);
        X25519.PublicKeyFromPrivate(flipped, result);

        Assert.Equal(expected, result);
    }

    [Fact]
    public void ScalarMult_InputsNotModified()
    {
        var scalar = Convert.FromHexString(AlicePrivate);
        var u = Convert.FromHexString(BobPublic);
        var result = new byte[32];

        X25519.ScalarMult(scalar, u, result);

        Assert.Equal(AlicePrivate, Convert.ToHexStringLower(scalar));
        Assert.Equal(BobPublic, Convert.ToHexStringLower(u));
    }

    [Fact]
    public void TryCreatePublicKey_BasePoint_WritesEightTimesIt()
    {
        var candidate = new byte[32];
        candidate[0] = 9;
        var result = new byte[32];

        Assert.True(X25519.TryCreatePublicKey(candidate, result));

        // Computed independently with python integers: three x-only doublings of u = 9, then z^(p-2).
        Assert.Equal("6899c948ed6f71f11ea974adcaed787aa15cb6c84d883bd82d5cd6aad7a65f27", Convert.ToHexStringLower(result));
    }

    [Fact]
    public void TryCreatePublicKey_RealKey_CommutesWithScalarMult()
    {
        // 8 * (k * P) = k * (8 * P): the doublings agree with the RFC-checked ladder.
        var point = Convert.FromHexString(AlicePublic);
        var scalar = Convert.FromHexString(BobPrivate);
        var multiplied = new byte[32];
        var cleared = new byte[32];
        var left = new byte[32];
        var right = new byte[32];

        X25519.ScalarMult(scalar, point, multiplied);
        Assert.True(X25519.TryCreatePublicKey(multiplied, left));
        Assert.True(X25519.TryCreatePublicKey(point, cleared));
        X25519.ScalarMult(scalar, cleared, right);

        Assert.Equal(Convert.ToHexStringLower(left), Convert.ToHexStringLower(right));
    }

    [FsCheck.Xunit.Property]
    public Property CreatePublicKeys_AnyCandidates_SameKeysAsOneAtATime() =>
        Prop.ForAll(
            Gen.Choose(0, 255).Select(b => (byte)b).ArrayOf(X25519.PointSize * X25519.MaxBatch).ToArbitrary(),
            Gen.Choose(0, 9).ArrayOf(X25519.MaxBatch).ToArbitrary(),
            Gen.Choose(0, X25519.MaxBatch).ToArbitrary(),
            (bytes, kinds, count) =>
            {
                // Random candidates, some replaced by zero, twist points (2, 3) and a point of small order (1).
                var candidates = bytes.AsSpan(0, count * X25519.PointSize).ToArray();
                for (var i = 0; i < count; i++)
                {
                    if (kinds[i] < 4)
                    {
                        var candidate = candidates.AsSpan(i * X25519.PointSize, X25519.PointSize);
                        candidate.Clear();
                        candidate[0] = (byte)(kinds[i] == 3 ? 1 : kinds[i] == 0 ? 0 : kinds[i] + 1);
                    }
                }

                var expected = new List<string>();
                var single = new byte[X25519.PointSize];
                for (var i = 0; i < count; i++)
                {
                    if (X25519.TryCreatePublicKey(candidates.AsSpan(i * X25519.PointSize, X25519.PointSize), single))
                    {
                        expected.Add(Convert.ToHexStringLower(single));
                    }
                }

                var keys = new byte[X25519.PointSize * X25519.MaxBatch];
                var made = X25519.CreatePublicKeys(candidates, keys);
                var actual = new List<string>();
                for (var i = 0; i < made; i++)
                {
                    actual.Add(Convert.ToHexStringLower(keys.AsSpan(i * X25519.PointSize, X25519.PointSize)));
                }

                return expected.SequenceEqual(actual);
            });

    [Fact]
    public void CreatePublicKeys_RandomCandidates_KeepsAboutHalfAndMatchesEightTimesThePoint()
    {
        var random = new Random(4242);
        var candidates = new byte[X25519.PointSize * X25519.MaxBatch];
        random.NextBytes(candidates);
        var keys = new byte[candidates.Length];

        var made = X25519.CreatePublicKeys(candidates, keys);

        Assert.InRange(made, 8, 24);
        var k = 0;
        for (var i = 0; i < X25519.MaxBatch; i++)
        {
            var candidate = candidates.AsSpan(i * X25519.PointSize, X25519.PointSize).ToArray();
            if (IsOnCurve(candidate) && EightTimes(candidate) != 0)
            {
                Assert.Equal(EightTimes(candidate), new BigInteger(keys.AsSpan(k * X25519.PointSize, X25519.PointSize), isUnsigned: true));
                k++;
            }
        }

        Assert.Equal(made, k);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(3)]
    public void TryCreatePublicKey_ZeroOrTwistPoint_ReturnsFalse(byte u)
    {
        var candidate = new byte[32];
        candidate[0] = u;

        Assert.False(X25519.TryCreatePublicKey(candidate, new byte[32]));
    }

    [Theory]
    [InlineData("0100000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800")]
    [InlineData("5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157")]
    [InlineData("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")]
    [InlineData("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")]
    [InlineData("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")]
    public void TryCreatePublicKey_SmallOrderPoint_ReturnsFalse(string u)
    {
        // The published small-order u-coordinates (orders 1, 2, 4, 8, and p, p + 1 for 0 and 1): 8P is neutral.
        Assert.False(X25519.TryCreatePublicKey(Convert.FromHexString(u), new byte[32]));
    }

    [Fact]
    public void TryCreatePublicKey_RandomCandidates_HalfAcceptedAndResultsOnTheCurve()
    {
        var random = new Random(7);
        var candidate = new byte[32];
        var result = new byte[32];
        var accepted = 0;
        for (var i = 0; i < 200; i++)
        {
            random.NextBytes(candidate);
            if (X25519.TryCreatePublicKey(candidate, result))
            {
                accepted++;
                Assert.True(X25519.TryCreatePublicKey(result, new byte[32]));

                // The shortcut that tests and inverts with one exponentiation gives exactly 8P.
                Assert.Equal(EightTimes(candidate), new BigInteger(result, isUnsigned: true));
            }
        }

        Assert.InRange(accepted, 70, 130);
    }

    [Theory]
    [InlineData(31, 32)]
    [InlineData(32, 31)]
    public void TryCreatePublicKey_WrongSizes_Throws(int candidateSize, int resultSize) =>
        Assert.Throws<ArgumentException>(() => X25519.TryCreatePublicKey(new byte[candidateSize], new byte[resultSize]));

    [Theory]
    [InlineData(33, 32)]
    [InlineData((X25519.MaxBatch + 1) * 32, (X25519.MaxBatch + 1) * 32)]
    [InlineData(64, 63)]
    public void CreatePublicKeys_WrongSizes_Throws(int candidatesSize, int keysSize) =>
        Assert.Throws<ArgumentException>(() => X25519.CreatePublicKeys(new byte[candidatesSize], new byte[keysSize]));

    [Theory]
    [InlineData(31, 32, 32)]
    [InlineData(32, 33, 32)]
    [InlineData(32, 32, 31)]
    public void ScalarMult_WrongSizes_Throws(int scalarSize, int uSize, int resultSize) =>
        Assert.Throws<ArgumentException>(() => X25519.ScalarMult(new byte[scalarSize], new byte[uSize], new byte[resultSize]));

    /// <summary>Euler's criterion with BigInteger arithmetic: u^3 + A u^2 + u is a nonzero square mod p.</summary>
    private static bool IsOnCurve(byte[] candidate)
    {
        var p = (BigInteger.One << 255) - 19;
        var u = new BigInteger(candidate, isUnsigned: true) % (BigInteger.One << 255) % p;
        var rightSide = ((u * u * u) + (486662 * u * u) + u) % p;
        return BigInteger.ModPow(rightSide, (p - 1) / 2, p) == 1;
    }

    /// <summary>The u-coordinate of 8P with BigInteger arithmetic: three x-only doublings, then x * z^(p-2).</summary>
    private static BigInteger EightTimes(byte[] candidate)
    {
        var p = (BigInteger.One << 255) - 19;
        var u = new BigInteger(candidate, isUnsigned: true) % (BigInteger.One << 255) % p;
        BigInteger x = u, z = 1;
        for (var i = 0; i < 3; i++)
        {
            var xx = x * x;
            var zz = z * z;
            var xz = x * z;
            (x, z) = ((xx - zz) * (xx - zz) % p, 4 * xz * (xx + (486662 * xz) + zz) % p);
        }

        return ((x * BigInteger.ModPow(z, p - 2, p)) % p + p) % p;
    }
}
