using System.Numerics;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Gozar.Protocol.Crypto;

namespace Gozar.Protocol.Tests.Crypto;

public class Field25519Tests
{
    private static readonly BigInteger P = (BigInteger.One << 255) - 19;

    [Property(Arbitrary = [typeof(FieldArbitraries)], MaxTest = 300)]
    public void Arithmetic_RandomElements_MatchesBigInteger(FieldBytes x, FieldBytes y, FieldBytes z)
    {
        var a = Field25519.FromBytes(x.Bytes);
        var b = Field25519.FromBytes(y.Bytes);
        var c = Field25519.FromBytes(z.Bytes);
        BigInteger va = x.Value, vb = y.Value, vc = z.Value;

        Assert.Equal(Mod(va + vb), Value(Field25519.Add(a, b)));
        Assert.Equal(Mod(va - vb), Value(Field25519.Subtract(a, b)));
        Assert.Equal(Mod(va * vb), Value(Field25519.Multiply(a, b)));
        Assert.Equal(Mod(va * va), Value(Field25519.Square(a)));
        Assert.Equal(Mod(va * 121665), Value(Field25519.MultiplySmall(a, 121665)));
        Assert.Equal(BigInteger.ModPow(va, P - 2, P), Value(Field25519.Invert(a)));
        Assert.Equal(Mod(va).IsZero ? BigInteger.Zero : BigInteger.One, Value(Field25519.Multiply(a, Field25519.Invert(a))));

        // Chains feed unreduced outputs (limbs a little above 2^51) into further operations.
        var chained = Field25519.Multiply(Field25519.Add(a, b), Field25519.Subtract(Field25519.Square(c), a));
        Assert.Equal(Mod((va + vb) * ((vc * vc) - va)), Value(chained));
        var ladderLike = Field25519.Multiply(c, Field25519.Add(Field25519.Square(a), Field25519.MultiplySmall(b, 121665)));
        Assert.Equal(Mod(vc * ((va * va) + (vb * 121665))), Value(ladderLike));
    }

    [Property(MaxTest = 1000)]
    public void MultiplyPortable_LimbsUpToTheReducedBound_MatchesBigInteger(ulong[] seeds)
    {
        // Limbs anywhere below 2^51 + 2^15, the bound every operation's output keeps, with the bound itself often.
        var limbs = Enumerable.Range(0, 10).Select(i => Limb(seeds.Length == 0 ? 0 : seeds[i % seeds.Length] * (ulong)(i + 1))).ToArray();
        var a = new FieldElement { L0 = limbs[0], L1 = limbs[1], L2 = limbs[2], L3 = limbs[3], L4 = limbs[4] };
        var b = new FieldElement { L0 = limbs[5], L1 = limbs[6], L2 = limbs[7], L3 = limbs[8], L4 = limbs[9] };
        BigInteger va = LimbValue(a), vb = LimbValue(b);

        Assert.Equal(Mod(va * vb), Value(Field25519.MultiplyPortable(a, b)));
        Assert.Equal(Mod(va * va), Value(Field25519.SquarePortable(a)));
        Assert.Equal(Mod(vb * vb), Value(Field25519.SquarePortable(b)));

        static ulong Limb(ulong seed) => (seed % 4) == 0 ? (1UL << 51) + (1UL << 15) - 1 : seed % ((1UL << 51) + (1UL << 15));

        static BigInteger LimbValue(FieldElement e) =>
            e.L0 + (new BigInteger(e.L1) << 51) + (new BigInteger(e.L2) << 102) + (new BigInteger(e.L3) << 153) + (new BigInteger(e.L4) << 204);
    }

    [Property(Arbitrary = [typeof(FieldArbitraries)], MaxTest = 300)]
    public void MultiplyPortable_RandomElements_MatchesMultiply(FieldBytes x, FieldBytes y)
    {
        var a = Field25519.FromBytes(x.Bytes);
        var b = Field25519.FromBytes(y.Bytes);

        Assert.Equal(Value(Field25519.Multiply(a, b)), Value(Field25519.MultiplyPortable(a, b)));
        Assert.Equal(Value(Field25519.Square(a)), Value(Field25519.SquarePortable(a)));
    }

    [Property(Arbitrary = [typeof(FieldArbitraries)], MaxTest = 500)]
    public void Vartime_RandomElements_MatchEulerAndFermat(FieldBytes x)
    {
        var a = Field25519.FromBytes(x.Bytes);
        var va = Mod(x.Value);

        // Euler's criterion: a^((p-1)/2) is 1 for a nonzero square, p - 1 for a non-square.
        var euler = BigInteger.ModPow(va, (P - 1) / 2, P);
        Assert.Equal(va.IsZero ? 0 : euler.IsOne ? 1 : -1, Field25519Vartime.Legendre(a));
        Assert.Equal(va.IsZero, Field25519Vartime.IsZero(a));
        if (!va.IsZero)
        {
            Assert.Equal(BigInteger.ModPow(va, P - 2, P), Value(Field25519Vartime.Invert(a)));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(-1)]
    [InlineData(-2)]
    [InlineData(19)]
    public void Vartime_Edges_MatchEulerAndFermat(int small)
    {
        var value = Mod(small);
        var a = Field25519.FromBytes(Bytes(value));
        var euler = BigInteger.ModPow(value, (P - 1) / 2, P);

        Assert.Equal(euler.IsOne ? 1 : -1, Field25519Vartime.Legendre(a));
        Assert.Equal(BigInteger.ModPow(value, P - 2, P), Value(Field25519Vartime.Invert(a)));
    }

    [Theory]
    [InlineData("18446744073709551616")]
    [InlineData("340282366920938463463374607431768211456")]
    [InlineData("18831305206160042291507368269622999248307066333392103538688")]
    [InlineData("28948022309329048855892746252171976963317496166410141009864396001978282409984")]
    [InlineData("57896044618658097711785492504343953926634992332820282019728792003956564819948")]
    public void VartimeLegendre_WholeZeroWords_MatchesEuler(string decimalValue)
    {
        // 2^64, 2^128, 3 * 2^192, 2^254 and p - 1: values whose low words are all zero, or the top one.
        var value = Mod(BigInteger.Parse(decimalValue, System.Globalization.CultureInfo.InvariantCulture));
        var euler = BigInteger.ModPow(value, (P - 1) / 2, P);

        Assert.Equal(euler.IsOne ? 1 : -1, Field25519Vartime.Legendre(Field25519.FromBytes(Bytes(value))));
    }

    [Property(MaxTest = 500)]
    public void VartimeLegendre_OneOrTwoWordsShiftedByWholeWords_MatchesEuler(ulong low, ulong high, byte shift)
    {
        // Values that reach the two- and one-word steps with whole zero words, or start there.
        var value = Mod(((new BigInteger(high) << 64) + low) << (64 * (shift % 4)));
        var euler = BigInteger.ModPow(value, (P - 1) / 2, P);

        Assert.Equal(value.IsZero ? 0 : euler.IsOne ? 1 : -1, Field25519Vartime.Legendre(Field25519.FromBytes(Bytes(value))));
    }

    [Property(MaxTest = 1000)]
    public void JacobiTwoWords_AnyOddModulus_MatchesReference(ulong x0, ulong x1, ulong n0, ulong n1, bool lowWordZero)
    {
        // A low word of zero is what a difference divisible by 2^64 looks like, too rare to meet in a random value.
        x0 = lowWordZero ? 0 : x0;
        n0 |= 1;
        var x = (new BigInteger(x1) << 64) + x0;
        var n = (new BigInteger(n1) << 64) + n0;

        Assert.Equal(Jacobi(x, n), Field25519Vartime.JacobiTwoWords(x0, x1, n0, n1, flips: 0));
        Assert.Equal(-Jacobi(x, n), Field25519Vartime.JacobiTwoWords(x0, x1, n0, n1, flips: 1));
    }

    [Fact]
    public void VartimeInvert_Zero_Throws()
    {
        Assert.Throws<ArgumentException>(() => Field25519Vartime.Invert(default));
    }

    [Property(MaxTest = 1000)]
    public void MulHighPortable_AnyOperands_MatchesUInt128(ulong a, ulong b) =>
        Assert.Equal((ulong)(((UInt128)a * b) >> 64), Field25519.MulHighPortable(a, b));

    [Theory]
    [InlineData(ulong.MaxValue, ulong.MaxValue)]
    [InlineData(ulong.MaxValue, 1UL)]
    [InlineData(0xFFFFFFFFUL, 0xFFFFFFFF00000000UL)]
    [InlineData((1UL << 57) - 1, (1UL << 52) - 1)]
    public void MulHighPortable_Extremes_MatchesUInt128(ulong a, ulong b) =>
        Assert.Equal((ulong)(((UInt128)a * b) >> 64), Field25519.MulHighPortable(a, b));

    [Fact]
    public void ToBytes_ValuesAtAndAboveP_AreReducedCanonically()
    {
        foreach (var value in new[] { P - 1, P, P + 1, P + 18, (BigInteger.One << 255) - 1 })
        {
            Assert.Equal(Mod(value), Value(Field25519.FromBytes(Bytes(value))));
        }
    }

    [Fact]
    public void FromBytes_TopBitSet_IsIgnored()
    {
        var bytes = Bytes(9);
        bytes[31] |= 0x80;

        Assert.Equal(new BigInteger(9), Value(Field25519.FromBytes(bytes)));
    }

    private static BigInteger Mod(BigInteger value)
    {
        var r = value % P;
        return r < 0 ? r + P : r;
    }

    private static BigInteger Value(FieldElement element)
    {
        var bytes = new byte[32];
        Field25519.ToBytes(element, bytes);
        var value = new BigInteger(bytes, isUnsigned: true);
        Assert.True(value < P, "ToBytes must produce a canonical value.");
        return value;
    }

    internal static byte[] Bytes(BigInteger value)
    {
        var bytes = new byte[32];
        value.TryWriteBytes(bytes, out _, isUnsigned: true);
        return bytes;
    }

    /// <summary>The textbook Jacobi symbol, for n odd and positive.</summary>
    private static int Jacobi(BigInteger a, BigInteger n)
    {
        a %= n;
        var sign = 1;
        while (!a.IsZero)
        {
            while (a.IsEven)
            {
                a >>= 1;
                var r = (int)(n % 8);
                sign = r is 3 or 5 ? -sign : sign;
            }

            (a, n) = (n, a);
            sign = a % 4 == 3 && n % 4 == 3 ? -sign : sign;
            a %= n;
        }

        return n.IsOne ? sign : 0;
    }
}

/// <summary>32 bytes as fed to FromBytes, and the value they encode (top bit dropped, not reduced).</summary>
public sealed record FieldBytes(byte[] Bytes)
{
    public BigInteger Value => new BigInteger(Bytes, isUnsigned: true) & ((BigInteger.One << 255) - 1);

    public override string ToString() => Convert.ToHexStringLower(Bytes);
}

public static class FieldArbitraries
{
    public static Arbitrary<FieldBytes> FieldBytes()
    {
        var p = (BigInteger.One << 255) - 19;
        var random = Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), 32);

        // Values near 0, near p and near 2^255, where carries and the final reduction are decided.
        var edge = from offset in Gen.Choose(-40, 40)
                   from anchor in Gen.Elements(BigInteger.Zero, p, BigInteger.One << 255)
                   select Field25519Tests.Bytes(((anchor + offset) % (BigInteger.One << 255) + (BigInteger.One << 255)) % (BigInteger.One << 255));
        var allOnes = Gen.Constant(Enumerable.Repeat((byte)0xFF, 32).ToArray());
        return Gen.Frequency((6, random), (3, edge), (1, allOnes)).Select(b => new FieldBytes(b)).ToArbitrary();
    }
}
