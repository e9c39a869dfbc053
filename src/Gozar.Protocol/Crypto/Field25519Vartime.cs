using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Gozar.Protocol.Crypto;

/// <summary>
/// Variable-time arithmetic modulo p = 2^255 - 19 on canonical values, for public values only: the fake-TLS key share
/// (<see cref="X25519.TryCreatePublicKey"/>, <see cref="X25519.CreatePublicKeys"/>), whose candidate is random and
/// discarded and whose result is sent in the clear. A binary Jacobi symbol and a binary extended-GCD inverse each cost a
/// few hundred word shifts and subtractions, against the 254 squarings of an exponentiation. Never use them on a secret: their running time depends on the value.
/// </summary>
internal static class Field25519Vartime
{
    /// <summary>p as four 64-bit words, least significant first.</summary>
    private static readonly Words P = new() { W0 = 0xffffffffffffffed, W1 = ulong.MaxValue, W2 = ulong.MaxValue, W3 = 0x7fffffffffffffff };

    public static bool IsZero(in FieldElement a) => ToWords(a).IsZero;

    /// <summary>The Legendre symbol (a / p): 1 for a nonzero square, -1 for a non-square, 0 for zero.</summary>
    /// <remarks>
    /// Binary Jacobi symbol with the data-dependent branches of the textbook loop replaced by arithmetic: each step
    /// takes |x - n| and min(x, n) with masks and shifts all trailing zeros out at once. The branches it removes went
    /// either way at random, and their mispredictions cost more than the arithmetic. Both values only shrink, so the
    /// steps run on four words while either needs them, then on two, then on one: about half the steps of a random
    /// value run on the narrower forms.
    /// </remarks>
    public static int Legendre(in FieldElement a)
    {
        var x = ToWords(a);
        var n = P;
        ulong flips = 0;
        while (!x.IsZero && (x.W2 | x.W3 | n.W2 | n.W3) != 0)
        {
            // (2 / n) is -1 exactly when n is 3 or 5 mod 8, so an odd count of twos flips the sign then.
            var twos = x.ShiftOutTrailingZeros();
            flips ^= twos & ((n.W0 >> 1) ^ (n.W0 >> 2));

            // Both odd. x - n, or n - x with n = old x: quadratic reciprocity flips the sign when both are 3 mod 4.
            var borrow = x.SubtractOrSwap(ref n, out var bothLow);
            flips ^= borrow & (bothLow >> 1);
        }

        return x.IsZero ? Symbol(n.IsOne, flips) : JacobiTwoWords(x.W0, x.W1, n.W0, n.W1, flips);
    }

    /// <summary>The Jacobi symbol (x / n) for values below 2^128 and an odd n, times -1 if <paramref name="flips"/> is odd.</summary>
    internal static int JacobiTwoWords(ulong x0, ulong x1, ulong n0, ulong n1, ulong flips)
    {
        while ((x0 | x1) != 0 && (x1 | n1) != 0)
        {
            var twos = 0UL;
            if (x0 == 0)
            {
                (x0, x1) = (x1, 0);
                twos = 64;
            }

            var shift = BitOperations.TrailingZeroCount(x0);
            x0 = (x0 >> shift) | ((x1 << 1) << (63 - shift));
            x1 >>= shift;
            flips ^= (twos + (ulong)shift) & ((n0 >> 1) ^ (n0 >> 2));

            ulong borrow = 0;
            var d0 = Words.SubtractWord(x0, n0, ref borrow);
            var d1 = Words.SubtractWord(x1, n1, ref borrow);
            var mask = 0 - borrow;
            flips ^= borrow & ((x0 & n0) >> 1);
            n0 ^= (x0 ^ n0) & mask;
            n1 ^= (x1 ^ n1) & mask;
            ulong carry = borrow;
            x0 = Words.AddWord(d0 ^ mask, 0, ref carry);
            x1 = Words.AddWord(d1 ^ mask, 0, ref carry);
        }

        if ((x0 | x1) == 0)
        {
            return Symbol(n0 == 1 && n1 == 0, flips);
        }

        // And on one word.
        while (x0 != 0)
        {
            var shift = BitOperations.TrailingZeroCount(x0);
            x0 >>= shift;
            flips ^= (ulong)shift & ((n0 >> 1) ^ (n0 >> 2));

            var difference = x0 - n0;
            var borrow = (x0 < n0) ? 1UL : 0UL;
            var mask = 0 - borrow;
            flips ^= borrow & ((x0 & n0) >> 1);
            n0 ^= (x0 ^ n0) & mask;
            x0 = (difference ^ mask) - mask;
        }

        return Symbol(n0 == 1, flips);
    }

    private static int Symbol(bool coprime, ulong flips) => !coprime ? 0 : (flips & 1) == 0 ? 1 : -1;

    /// <summary>1 / a mod p for a nonzero a (binary extended Euclid). Keeps x1 * a = u and x2 * a = v (mod p).</summary>
    public static FieldElement Invert(in FieldElement a)
    {
        var u = ToWords(a);
        if (u.IsZero)
        {
            throw new ArgumentException("Zero has no inverse.", nameof(a));
        }

        var v = P;
        var x1 = new Words { W0 = 1 };
        var x2 = default(Words);
        while (!u.IsOne && !v.IsOne)
        {
            while ((u.W0 & 1) == 0)
            {
                u.ShiftRight1();
                x1.HalveModP();
            }

            while ((v.W0 & 1) == 0)
            {
                v.ShiftRight1();
                x2.HalveModP();
            }

            if (Words.Compare(u, v) >= 0)
            {
                u.Subtract(v);
                x1.SubtractModP(x2);
            }
            else
            {
                v.Subtract(u);
                x2.SubtractModP(x1);
            }
        }

        return FromWords(u.IsOne ? x1 : x2);
    }

    private static Words ToWords(in FieldElement a)
    {
        Span<byte> bytes = stackalloc byte[32];
        Field25519.ToBytes(a, bytes);
        return new Words
        {
            W0 = BinaryPrimitives.ReadUInt64LittleEndian(bytes),
            W1 = BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..]),
            W2 = BinaryPrimitives.ReadUInt64LittleEndian(bytes[16..]),
            W3 = BinaryPrimitives.ReadUInt64LittleEndian(bytes[24..]),
        };
    }

    private static FieldElement FromWords(in Words a)
    {
        Span<byte> bytes = stackalloc byte[32];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, a.W0);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes[8..], a.W1);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes[16..], a.W2);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes[24..], a.W3);
        return Field25519.FromBytes(bytes);
    }

    /// <summary>A 256-bit unsigned value, least significant word first.</summary>
    private struct Words
    {
        public ulong W0;
        public ulong W1;
        public ulong W2;
        public ulong W3;

        public readonly bool IsZero => (W0 | W1 | W2 | W3) == 0;

        public readonly bool IsOne => W0 == 1 && (W1 | W2 | W3) == 0;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static int Compare(in Words a, in Words b) =>
            a.W3 != b.W3 ? (a.W3 < b.W3 ? -1 : 1)
            : a.W2 != b.W2 ? (a.W2 < b.W2 ? -1 : 1)
            : a.W1 != b.W1 ? (a.W1 < b.W1 ? -1 : 1)
            : a.W0.CompareTo(b.W0);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void ShiftRight1()
        {
            W0 = (W0 >> 1) | (W1 << 63);
            W1 = (W1 >> 1) | (W2 << 63);
            W2 = (W2 >> 1) | (W3 << 63);
            W3 >>= 1;
        }

        /// <summary>Shifts a nonzero value right past its trailing zero bits; returns how many there were.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public ulong ShiftOutTrailingZeros()
        {
            ulong count = 0;
            while (W0 == 0)
            {
                // Only a value divisible by 2^64: all but never for the random values this serves.
                (W0, W1, W2, W3) = (W1, W2, W3, 0);
                count += 64;
            }

            var shift = BitOperations.TrailingZeroCount(W0);

            // (w << 1) << (63 - shift) is w << (64 - shift) without C#'s shift count wrapping 64 to 0.
            var back = 63 - shift;
            W0 = (W0 >> shift) | ((W1 << 1) << back);
            W1 = (W1 >> shift) | ((W2 << 1) << back);
            W2 = (W2 >> shift) | ((W3 << 1) << back);
            W3 >>= shift;
            return count + (ulong)shift;
        }

        /// <summary>
        /// For odd this and n: this = |this - n| and n = min(this, n), without branches. Returns 1 when this was the
        /// smaller (the two swapped), else 0, and in <paramref name="bothLow"/> the low words of both ANDed then.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public ulong SubtractOrSwap(ref Words n, out ulong bothLow)
        {
            ulong borrow = 0;
            var d0 = SubtractWord(W0, n.W0, ref borrow);
            var d1 = SubtractWord(W1, n.W1, ref borrow);
            var d2 = SubtractWord(W2, n.W2, ref borrow);
            var d3 = SubtractWord(W3, n.W3, ref borrow);
            var mask = 0 - borrow;
            bothLow = mask & W0 & n.W0;

            // n takes this where this was smaller.
            n.W0 ^= (W0 ^ n.W0) & mask;
            n.W1 ^= (W1 ^ n.W1) & mask;
            n.W2 ^= (W2 ^ n.W2) & mask;
            n.W3 ^= (W3 ^ n.W3) & mask;

            // -d = ~d + 1 where the subtraction borrowed.
            ulong carry = borrow;
            W0 = AddWord(d0 ^ mask, 0, ref carry);
            W1 = AddWord(d1 ^ mask, 0, ref carry);
            W2 = AddWord(d2 ^ mask, 0, ref carry);
            W3 = AddWord(d3 ^ mask, 0, ref carry);
            return borrow;
        }

        /// <summary>this -= b, for b at most this.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Subtract(in Words b)
        {
            ulong borrow = 0;
            W0 = SubtractWord(W0, b.W0, ref borrow);
            W1 = SubtractWord(W1, b.W1, ref borrow);
            W2 = SubtractWord(W2, b.W2, ref borrow);
            W3 = SubtractWord(W3, b.W3, ref borrow);
        }

        /// <summary>this += b; the sum must fit 256 bits (here: both below 2^255).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Add(in Words b)
        {
            ulong carry = 0;
            W0 = AddWord(W0, b.W0, ref carry);
            W1 = AddWord(W1, b.W1, ref carry);
            W2 = AddWord(W2, b.W2, ref carry);
            W3 = AddWord(W3, b.W3, ref carry);
        }

        /// <summary>this = this / 2 mod p, for this below p: an odd value gets p added first, which makes it even.</summary>
        public void HalveModP()
        {
            if ((W0 & 1) != 0)
            {
                Add(P);
            }

            ShiftRight1();
        }

        /// <summary>this = this - b mod p, for both below p.</summary>
        public void SubtractModP(in Words b)
        {
            if (Compare(this, b) < 0)
            {
                Add(P);
            }

            Subtract(b);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static ulong SubtractWord(ulong x, ulong y, ref ulong borrow)
        {
            var difference = x - y - borrow;
            borrow = ((~x & y) | (~(x ^ y) & difference)) >> 63;
            return difference;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static ulong AddWord(ulong x, ulong y, ref ulong carry)
        {
            var sum = x + y + carry;
            carry = ((x & y) | ((x | y) & ~sum)) >> 63;
            return sum;
        }
    }
}
