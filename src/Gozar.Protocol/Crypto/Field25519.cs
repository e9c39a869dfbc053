using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Gozar.Protocol.Crypto;

/// <summary>
/// An element of GF(2^255 - 19) as five 51-bit limbs: value = L0 + L1*2^51 + ... + L4*2^204.
/// Every operation returns limbs below 2^51 + 2^15 ("reduced"), which keeps all intermediate
/// products of <see cref="Field25519.Multiply"/> below 2^112. No branch or memory index depends on
/// a value; carries come from comparisons, which the JIT emits as setb/cset.
/// </summary>
internal struct FieldElement
{
    public ulong L0;
    public ulong L1;
    public ulong L2;
    public ulong L3;
    public ulong L4;
}

internal static class Field25519
{
    private const int LimbBits = 51;
    private const ulong LimbMask = (1UL << LimbBits) - 1;

    // 2p in limb form, added before subtracting so that no limb goes negative.
    private const ulong TwoP0 = 2 * (LimbMask - 18);
    private const ulong TwoPi = 2 * LimbMask;

    public static FieldElement One => new() { L0 = 1 };

    /// <summary>Little-endian decoding; the top bit is ignored (RFC 7748 §5), non-canonical values are accepted.</summary>
    public static FieldElement FromBytes(ReadOnlySpan<byte> bytes32)
    {
        var w0 = BinaryPrimitives.ReadUInt64LittleEndian(bytes32);
        var w1 = BinaryPrimitives.ReadUInt64LittleEndian(bytes32[8..]);
        var w2 = BinaryPrimitives.ReadUInt64LittleEndian(bytes32[16..]);
        var w3 = BinaryPrimitives.ReadUInt64LittleEndian(bytes32[24..]);
        return new FieldElement
        {
            L0 = w0 & LimbMask,
            L1 = ((w0 >> 51) | (w1 << 13)) & LimbMask,
            L2 = ((w1 >> 38) | (w2 << 26)) & LimbMask,
            L3 = ((w2 >> 25) | (w3 << 39)) & LimbMask,
            L4 = (w3 >> 12) & LimbMask,
        };
    }

    /// <summary>Canonical (fully reduced mod p) little-endian encoding.</summary>
    public static void ToBytes(in FieldElement a, Span<byte> bytes32)
    {
        var f = a;
        CarryPropagate(ref f);
        CarryPropagate(ref f);

        // Now f < 2^255. f >= p exactly when f + 19 reaches 2^255; then f - p = (f + 19) mod 2^255.
        var g0 = f.L0 + 19;
        var g1 = f.L1 + (g0 >> LimbBits);
        var g2 = f.L2 + (g1 >> LimbBits);
        var g3 = f.L3 + (g2 >> LimbBits);
        var g4 = f.L4 + (g3 >> LimbBits);
        var useG = 0UL - (g4 >> LimbBits);
        var r0 = Select(useG, g0 & LimbMask, f.L0);
        var r1 = Select(useG, g1 & LimbMask, f.L1);
        var r2 = Select(useG, g2 & LimbMask, f.L2);
        var r3 = Select(useG, g3 & LimbMask, f.L3);
        var r4 = Select(useG, g4 & LimbMask, f.L4);

        BinaryPrimitives.WriteUInt64LittleEndian(bytes32, r0 | (r1 << 51));
        BinaryPrimitives.WriteUInt64LittleEndian(bytes32[8..], (r1 >> 13) | (r2 << 38));
        BinaryPrimitives.WriteUInt64LittleEndian(bytes32[16..], (r2 >> 26) | (r3 << 25));
        BinaryPrimitives.WriteUInt64LittleEndian(bytes32[24..], (r3 >> 39) | (r4 << 12));
    }

    public static FieldElement Add(in FieldElement a, in FieldElement b)
    {
        var r = new FieldElement
        {
            L0 = a.L0 + b.L0,
            L1 = a.L1 + b.L1,
            L2 = a.L2 + b.L2,
            L3 = a.L3 + b.L3,
            L4 = a.L4 + b.L4,
        };
        CarryPropagate(ref r);
        return r;
    }

    public static FieldElement Subtract(in FieldElement a, in FieldElement b)
    {
        var r = new FieldElement
        {
            L0 = a.L0 + TwoP0 - b.L0,
            L1 = a.L1 + TwoPi - b.L1,
            L2 = a.L2 + TwoPi - b.L2,
            L3 = a.L3 + TwoPi - b.L3,
            L4 = a.L4 + TwoPi - b.L4,
        };
        CarryPropagate(ref r);
        return r;
    }

    /// <summary>
    /// Schoolbook product; limb products of weight 2^255 and above fold back times 19,
    /// since 2^255 = 19 (mod p).
    /// </summary>
    public static FieldElement Multiply(in FieldElement a, in FieldElement b)
    {
        if (!HasWideMultiply)
        {
            return MultiplyPortable(a, b);
        }

        ulong a0 = a.L0, a1 = a.L1, a2 = a.L2, a3 = a.L3, a4 = a.L4;
        ulong b0 = b.L0, b1 = b.L1, b2 = b.L2, b3 = b.L3, b4 = b.L4;
        ulong b1x19 = b1 * 19, b2x19 = b2 * 19, b3x19 = b3 * 19, b4x19 = b4 * 19;

        ulong h0 = MulHigh(a0, b0), l0 = a0 * b0;
        MulAdd(ref h0, ref l0, a1, b4x19);
        MulAdd(ref h0, ref l0, a2, b3x19);
        MulAdd(ref h0, ref l0, a3, b2x19);
        MulAdd(ref h0, ref l0, a4, b1x19);

        ulong h1 = MulHigh(a0, b1), l1 = a0 * b1;
        MulAdd(ref h1, ref l1, a1, b0);
        MulAdd(ref h1, ref l1, a2, b4x19);
        MulAdd(ref h1, ref l1, a3, b3x19);
        MulAdd(ref h1, ref l1, a4, b2x19);

        ulong h2 = MulHigh(a0, b2), l2 = a0 * b2;
        MulAdd(ref h2, ref l2, a1, b1);
        MulAdd(ref h2, ref l2, a2, b0);
        MulAdd(ref h2, ref l2, a3, b4x19);
        MulAdd(ref h2, ref l2, a4, b3x19);

        ulong h3 = MulHigh(a0, b3), l3 = a0 * b3;
        MulAdd(ref h3, ref l3, a1, b2);
        MulAdd(ref h3, ref l3, a2, b1);
        MulAdd(ref h3, ref l3, a3, b0);
        MulAdd(ref h3, ref l3, a4, b4x19);

        ulong h4 = MulHigh(a0, b4), l4 = a0 * b4;
        MulAdd(ref h4, ref l4, a1, b3);
        MulAdd(ref h4, ref l4, a2, b2);
        MulAdd(ref h4, ref l4, a3, b1);
        MulAdd(ref h4, ref l4, a4, b0);

        return Reduce(h0, l0, h1, l1, h2, l2, h3, l3, h4, l4);
    }

    public static FieldElement Square(in FieldElement a)
    {
        if (!HasWideMultiply)
        {
            return SquarePortable(a);
        }

        ulong a0 = a.L0, a1 = a.L1, a2 = a.L2, a3 = a.L3, a4 = a.L4;
        ulong a0x2 = a0 * 2, a1x2 = a1 * 2, a2x2 = a2 * 2, a3x2 = a3 * 2;
        ulong a3x19 = a3 * 19, a4x19 = a4 * 19;

        ulong h0 = MulHigh(a0, a0), l0 = a0 * a0;
        MulAdd(ref h0, ref l0, a1x2, a4x19);
        MulAdd(ref h0, ref l0, a2x2, a3x19);

        ulong h1 = MulHigh(a0x2, a1), l1 = a0x2 * a1;
        MulAdd(ref h1, ref l1, a2x2, a4x19);
        MulAdd(ref h1, ref l1, a3, a3x19);

        ulong h2 = MulHigh(a0x2, a2), l2 = a0x2 * a2;
        MulAdd(ref h2, ref l2, a1, a1);
        MulAdd(ref h2, ref l2, a3x2, a4x19);

        ulong h3 = MulHigh(a0x2, a3), l3 = a0x2 * a3;
        MulAdd(ref h3, ref l3, a1x2, a2);
        MulAdd(ref h3, ref l3, a4, a4x19);

        ulong h4 = MulHigh(a0x2, a4), l4 = a0x2 * a4;
        MulAdd(ref h4, ref l4, a1x2, a3);
        MulAdd(ref h4, ref l4, a2, a2);

        return Reduce(h0, l0, h1, l1, h2, l2, h3, l3, h4, l4);
    }

    /// <summary>
    /// <see cref="Multiply"/> without a 64 x 64 -> 128-bit product, as Native AOT at x86-64-v2 compiles it (no BMI2, and
    /// Math.BigMul is a software call there). Every operand, a limb times at most 19, is below 2^57: cut at bit 28, each
    /// column is three sums of 64-bit products (high halves, low halves, and the halves' sums, Karatsuba's middle
    /// term), all below 2^63, put together as 128 bits once per column rather than once per product.
    /// </summary>
    internal static FieldElement MultiplyPortable(in FieldElement a, in FieldElement b)
    {
        Split a0 = new(a.L0), a1 = new(a.L1), a2 = new(a.L2), a3 = new(a.L3), a4 = new(a.L4);
        Split b0 = new(b.L0), b1 = new(b.L1), b2 = new(b.L2), b3 = new(b.L3), b4 = new(b.L4);
        Split b1x19 = new(b.L1 * 19), b2x19 = new(b.L2 * 19), b3x19 = new(b.L3 * 19), b4x19 = new(b.L4 * 19);

        var c0 = Split.Product(a0, b0).Add(a1, b4x19).Add(a2, b3x19).Add(a3, b2x19).Add(a4, b1x19);
        var c1 = Split.Product(a0, b1).Add(a1, b0).Add(a2, b4x19).Add(a3, b3x19).Add(a4, b2x19);
        var c2 = Split.Product(a0, b2).Add(a1, b1).Add(a2, b0).Add(a3, b4x19).Add(a4, b3x19);
        var c3 = Split.Product(a0, b3).Add(a1, b2).Add(a2, b1).Add(a3, b0).Add(a4, b4x19);
        var c4 = Split.Product(a0, b4).Add(a1, b3).Add(a2, b2).Add(a3, b1).Add(a4, b0);
        return ReduceColumns(c0, c1, c2, c3, c4);
    }

    /// <summary><see cref="Square"/> as <see cref="MultiplyPortable"/> computes products.</summary>
    internal static FieldElement SquarePortable(in FieldElement a)
    {
        Split a0 = new(a.L0), a1 = new(a.L1), a2 = new(a.L2), a3 = new(a.L3), a4 = new(a.L4);
        Split a0x2 = new(a.L0 * 2), a1x2 = new(a.L1 * 2), a2x2 = new(a.L2 * 2), a3x2 = new(a.L3 * 2);
        Split a3x19 = new(a.L3 * 19), a4x19 = new(a.L4 * 19);

        var c0 = Split.Product(a0, a0).Add(a1x2, a4x19).Add(a2x2, a3x19);
        var c1 = Split.Product(a0x2, a1).Add(a2x2, a4x19).Add(a3, a3x19);
        var c2 = Split.Product(a0x2, a2).Add(a1, a1).Add(a3x2, a4x19);
        var c3 = Split.Product(a0x2, a3).Add(a1x2, a2).Add(a4, a4x19);
        var c4 = Split.Product(a0x2, a4).Add(a1x2, a3).Add(a2, a2);
        return ReduceColumns(c0, c1, c2, c3, c4);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static FieldElement ReduceColumns(in Column c0, in Column c1, in Column c2, in Column c3, in Column c4)
    {
        c0.ToWide(out var h0, out var l0);
        c1.ToWide(out var h1, out var l1);
        c2.ToWide(out var h2, out var l2);
        c3.ToWide(out var h3, out var l3);
        c4.ToWide(out var h4, out var l4);
        return Reduce(h0, l0, h1, l1, h2, l2, h3, l3, h4, l4);
    }

    /// <summary>An operand below 2^57 cut at bit 28: high part, low part, and their sum.</summary>
    private readonly struct Split
    {
        private const int Cut = 28;

        public readonly ulong High;
        public readonly ulong Low;
        public readonly ulong Sum;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Split(ulong value)
        {
            High = value >> Cut;
            Low = value & ((1UL << Cut) - 1);
            Sum = High + Low;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Column Product(in Split x, in Split y) => new(x.High * y.High, x.Low * y.Low, x.Sum * y.Sum);
    }

    /// <summary>
    /// Sums over a column's products of the high halves' products, the low halves', and the halves' sums'; at most five
    /// products, each below 2^29 * 2^29, 2^28 * 2^28 and 2^30 * 2^30, so no sum reaches 2^63.
    /// </summary>
    private readonly struct Column(ulong highs, ulong lows, ulong sums)
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Column Add(in Split x, in Split y) => new(highs + (x.High * y.High), lows + (x.Low * y.Low), sums + (x.Sum * y.Sum));

        /// <summary>highs * 2^56 + (sums - highs - lows) * 2^28 + lows, as 128 bits.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void ToWide(out ulong high, out ulong low)
        {
            var middle = sums - highs - lows;
            var partial = lows + (middle << 28);
            low = partial + (highs << 56);
            high = (middle >> 36) + (highs >> 8) + (partial < lows ? 1UL : 0UL) + (low < partial ? 1UL : 0UL);
        }
    }

    /// <summary>a squared <paramref name="times"/> times (times &gt;= 1).</summary>
    public static FieldElement SquareTimes(in FieldElement a, int times)
    {
        var r = Square(a);
        for (var i = 1; i < times; i++)
        {
            r = Square(r);
        }

        return r;
    }

    public static FieldElement MultiplySmall(in FieldElement a, ulong small) =>
        Reduce(
            MulHigh(a.L0, small),
            a.L0 * small,
            MulHigh(a.L1, small),
            a.L1 * small,
            MulHigh(a.L2, small),
            a.L2 * small,
            MulHigh(a.L3, small),
            a.L3 * small,
            MulHigh(a.L4, small),
            a.L4 * small);

    /// <summary>a^(p-2) = a^-1 (Fermat); maps 0 to 0.</summary>
    public static FieldElement Invert(in FieldElement a)
    {
        // p - 2 = 2^255 - 21 = 2^5 * (2^250 - 1) + 11.
        var e2p250m1 = Pow2p250m1(a, out var e11);
        return Multiply(SquareTimes(e2p250m1, 5), e11);
    }

    /// <summary>a^(2^250 - 1) by a fixed addition chain, with a^11 met on the way; names give the exponent reached.</summary>
    private static FieldElement Pow2p250m1(in FieldElement a, out FieldElement e11)
    {
        var e2 = Square(a);
        var e9 = Multiply(SquareTimes(e2, 2), a);
        e11 = Multiply(e9, e2);
        var e2p5m1 = Multiply(Square(e11), e9);
        var e2p10m1 = Multiply(SquareTimes(e2p5m1, 5), e2p5m1);
        var e2p20m1 = Multiply(SquareTimes(e2p10m1, 10), e2p10m1);
        var e2p40m1 = Multiply(SquareTimes(e2p20m1, 20), e2p20m1);
        var e2p50m1 = Multiply(SquareTimes(e2p40m1, 10), e2p10m1);
        var e2p100m1 = Multiply(SquareTimes(e2p50m1, 50), e2p50m1);
        var e2p200m1 = Multiply(SquareTimes(e2p100m1, 100), e2p100m1);
        return Multiply(SquareTimes(e2p200m1, 50), e2p50m1);
    }

    /// <summary>Swaps a and b when swap is 1, leaves them when it is 0, without branching on it.</summary>
    public static void ConditionalSwap(ref FieldElement a, ref FieldElement b, ulong swap)
    {
        var mask = 0UL - swap;
        var t = mask & (a.L0 ^ b.L0);
        a.L0 ^= t;
        b.L0 ^= t;
        t = mask & (a.L1 ^ b.L1);
        a.L1 ^= t;
        b.L1 ^= t;
        t = mask & (a.L2 ^ b.L2);
        a.L2 ^= t;
        b.L2 ^= t;
        t = mask & (a.L3 ^ b.L3);
        a.L3 ^= t;
        b.L3 ^= t;
        t = mask & (a.L4 ^ b.L4);
        a.L4 ^= t;
        b.L4 ^= t;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Select(ulong mask, ulong ifSet, ulong ifClear) => (ifSet & mask) | (ifClear & ~mask);

    /// <summary>Carries five 128-bit column sums (high, low) down to reduced 51-bit limbs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static FieldElement Reduce(
        ulong h0, ulong l0, ulong h1, ulong l1, ulong h2, ulong l2, ulong h3, ulong l3, ulong h4, ulong l4)
    {
        AddTo(ref h1, ref l1, ShiftOut(h0, l0));
        AddTo(ref h2, ref l2, ShiftOut(h1, l1));
        AddTo(ref h3, ref l3, ShiftOut(h2, l2));
        AddTo(ref h4, ref l4, ShiftOut(h3, l3));

        // The carry out of the top limb can reach 2^61, so its fold (times 19) stays 128-bit.
        var carry = ShiftOut(h4, l4);
        ulong th = MulHigh(carry, 19), tl = carry * 19;
        AddTo(ref th, ref tl, l0 & LimbMask);
        return new FieldElement
        {
            L0 = tl & LimbMask,
            L1 = (l1 & LimbMask) + ShiftOut(th, tl),
            L2 = l2 & LimbMask,
            L3 = l3 & LimbMask,
            L4 = l4 & LimbMask,
        };
    }

    /// <summary>(high, low) += a * b.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MulAdd(ref ulong high, ref ulong low, ulong a, ulong b)
    {
        var productLow = a * b;
        low += productLow;
        high += MulHigh(a, b) + (low < productLow ? 1UL : 0UL);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddTo(ref ulong high, ref ulong low, ulong value)
    {
        low += value;
        high += low < value ? 1UL : 0UL;
    }

    /// <summary>(high, low) shifted right by 51; fits 64 bits for every sum formed here.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong ShiftOut(ulong high, ulong low) => (low >> LimbBits) | (high << (64 - LimbBits));

    /// <summary>
    /// Whether the CPU has a 64 x 64 -> 128-bit product the compiler may use (BMI2's mulx, ARM64's umulh); a constant in
    /// each compiled body, so the untaken path costs nothing.
    /// </summary>
    private static bool HasWideMultiply => Bmi2.X64.IsSupported || ArmBase.Arm64.IsSupported;

    // Math.BigMul returns the low half through memory; this keeps everything in registers.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong MulHigh(ulong a, ulong b)
    {
        if (Bmi2.X64.IsSupported)
        {
            return Bmi2.X64.MultiplyNoFlags(a, b);
        }

        if (ArmBase.Arm64.IsSupported)
        {
            return ArmBase.Arm64.MultiplyHigh(a, b);
        }

        return MulHighPortable(a, b);
    }

    /// <summary>
    /// The high half from four 32-bit products, inlined. Native AOT targets x86-64-v2, which has no BMI2, and there
    /// Math.BigMul is a call to its software fallback for every product: 15% of a fake-TLS handshake's CPU.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong MulHighPortable(ulong a, ulong b)
    {
        ulong aLow = (uint)a, aHigh = a >> 32, bLow = (uint)b, bHigh = b >> 32;
        var lowLow = aLow * bLow;
        var highLow = aHigh * bLow;
        var lowHigh = aLow * bHigh;

        // At most 3 * (2^32 - 1) + (2^32 - 1)^2 < 2^64: no carry is lost.
        var middle = (lowLow >> 32) + (uint)highLow + lowHigh;
        return (aHigh * bHigh) + (highLow >> 32) + (middle >> 32);
    }

    private static void CarryPropagate(ref FieldElement f)
    {
        f.L1 += f.L0 >> LimbBits;
        f.L0 &= LimbMask;
        f.L2 += f.L1 >> LimbBits;
        f.L1 &= LimbMask;
        f.L3 += f.L2 >> LimbBits;
        f.L2 &= LimbMask;
        f.L4 += f.L3 >> LimbBits;
        f.L3 &= LimbMask;
        f.L0 += (f.L4 >> LimbBits) * 19;
        f.L4 &= LimbMask;
    }
}
