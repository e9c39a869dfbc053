using System.Security.Cryptography;

namespace Gozar.Protocol.Crypto;

/// <summary>
/// X25519 Diffie-Hellman function of RFC 7748 §5, used for the key_share of the fake-TLS
/// ServerHello (spec §5.6). Montgomery ladder with constant-time swaps; no table lookups or
/// branches depend on the scalar.
/// </summary>
public static class X25519
{
    public const int ScalarSize = 32;
    public const int PointSize = 32;

    /// <summary>Most candidates <see cref="CreatePublicKeys"/> takes at once.</summary>
    public const int MaxBatch = 32;

    // (A - 2) / 4 for Curve25519's A = 486662 (RFC 7748 §5).
    private const ulong A24 = 121665;
    private const int ScalarBits = 255;
    private const int CofactorDoublings = 3;

    // Curve25519's A = 486662 (RFC 7748 §4.1).
    private static readonly FieldElement CurveA = new() { L0 = 486662 };

    /// <summary>result = X25519(scalar, u): the scalar is clamped, the top bit of u is ignored.</summary>
    public static void ScalarMult(ReadOnlySpan<byte> scalar32, ReadOnlySpan<byte> u32, Span<byte> result32)
    {
        if (scalar32.Length != ScalarSize)
        {
            throw new ArgumentException("X25519 needs a 32-byte scalar.", nameof(scalar32));
        }

        if (u32.Length != PointSize)
        {
            throw new ArgumentException("X25519 needs a 32-byte u-coordinate.", nameof(u32));
        }

        if (result32.Length < PointSize)
        {
            throw new ArgumentException("The result needs 32 bytes.", nameof(result32));
        }

        Span<byte> scalar = stackalloc byte[ScalarSize];
        try
        {
            scalar32.CopyTo(scalar);
            Clamp(scalar);
            var u = Field25519.FromBytes(u32);
            var x = Ladder(scalar, u);
            Field25519.ToBytes(x, result32);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(scalar);
        }
    }

    /// <summary>The public key X25519(scalar, 9) of a private scalar.</summary>
    public static void PublicKeyFromPrivate(ReadOnlySpan<byte> scalar32, Span<byte> publicKey32)
    {
        Span<byte> basePoint = stackalloc byte[PointSize];
        basePoint.Clear();
        basePoint[0] = 9;
        ScalarMult(scalar32, basePoint, publicKey32);
    }

    /// <summary>
    /// A public key without a scalar multiplication, for shares whose secret nobody uses (the fake-TLS flight): if
    /// <paramref name="candidate32"/> read as a u-coordinate is a point P on the curve (about half of all values are;
    /// the rest are on the twist), writes the u-coordinate of 8P and returns true, else returns false and the caller
    /// draws another candidate. For uniformly random candidates 8P is uniform over the prime-order subgroup, where
    /// every X25519(k, 9) lies, so the result cannot be told from a real key share. Costs a variable-time Legendre
    /// symbol per candidate (two candidates on average), three doublings and a variable-time inversion, against
    /// <see cref="PublicKeyFromPrivate"/>'s 255-step ladder and inversion.
    /// </summary>
    public static bool TryCreatePublicKey(ReadOnlySpan<byte> candidate32, Span<byte> publicKey32)
    {
        if (candidate32.Length != PointSize)
        {
            throw new ArgumentException("A candidate u-coordinate is 32 bytes.", nameof(candidate32));
        }

        if (publicKey32.Length < PointSize)
        {
            throw new ArgumentException("The result needs 32 bytes.", nameof(publicKey32));
        }

        return CreatePublicKeys(candidate32, publicKey32) == 1;
    }

    /// <summary>
    /// <see cref="TryCreatePublicKey"/> over up to <see cref="MaxBatch"/> candidates at once, with one inversion for all
    /// of them (Montgomery's trick: each 1/z from the inverse of the product and three multiplications). Writes the key
    /// of every candidate on the curve, in their order, and returns how many there are.
    /// </summary>
    public static int CreatePublicKeys(ReadOnlySpan<byte> candidates, Span<byte> publicKeys)
    {
        var count = candidates.Length / PointSize;
        if (candidates.Length % PointSize != 0 || count > MaxBatch)
        {
            throw new ArgumentException($"Candidates are 32-byte u-coordinates, at most {MaxBatch}.", nameof(candidates));
        }

        if (publicKeys.Length < count * PointSize)
        {
            throw new ArgumentException("The results need 32 bytes per candidate.", nameof(publicKeys));
        }

        Span<FieldElement> xs = stackalloc FieldElement[MaxBatch];
        Span<FieldElement> zs = stackalloc FieldElement[MaxBatch];
        Span<FieldElement> products = stackalloc FieldElement[MaxBatch];
        var made = 0;
        for (var i = 0; i < count; i++)
        {
            if (TryEightTimes(candidates.Slice(i * PointSize, PointSize), out var x, out var z))
            {
                xs[made] = x;
                zs[made] = z;
                products[made] = made == 0 ? z : Field25519.Multiply(products[made - 1], z);
                made++;
            }
        }

        if (made == 0)
        {
            return 0;
        }

        // inverse = 1 / (z0 ... zi) going down: 1/zi = inverse * (z0 ... zi-1), then inverse * zi = 1 / (z0 ... zi-1).
        var inverse = Field25519Vartime.Invert(products[made - 1]);
        for (var i = made - 1; i > 0; i--)
        {
            var zInverse = Field25519.Multiply(inverse, products[i - 1]);
            inverse = Field25519.Multiply(inverse, zs[i]);
            Field25519.ToBytes(Field25519.Multiply(xs[i], zInverse), publicKeys.Slice(i * PointSize, PointSize));
        }

        Field25519.ToBytes(Field25519.Multiply(xs[0], inverse), publicKeys[..PointSize]);
        return made;
    }

    /// <summary>(x : z) = 8P for a candidate u-coordinate of a point P on the curve whose 8P is not neutral.</summary>
    private static bool TryEightTimes(ReadOnlySpan<byte> candidate32, out FieldElement x, out FieldElement z)
    {
        // On the curve v^2 = u^3 + A u^2 + u exactly when the right side is a square; zero is the 2-torsion point.
        var u = Field25519.FromBytes(candidate32);
        var rightSide = Field25519.Multiply(u, Field25519.Add(Field25519.Multiply(u, Field25519.Add(u, CurveA)), Field25519.One));

        // The candidate is random and thrown away, and only 8P is sent: the test and the inversion may take time that
        // depends on them, so both are variable-time binary algorithms instead of exponentiations.
        x = u;
        z = Field25519.One;
        if (Field25519Vartime.Legendre(rightSide) != 1)
        {
            return false;
        }

        // Three projective doublings clear the cofactor 8. A P of order dividing 8 has 8P neutral (z = 0): never a real key.
        for (var i = 0; i < CofactorDoublings; i++)
        {
            Double(ref x, ref z);
        }

        return !Field25519Vartime.IsZero(z);
    }

    /// <summary>(x : z) = 2 (x : z), the doubling half of the RFC 7748 §5 ladder step.</summary>
    private static void Double(ref FieldElement x, ref FieldElement z)
    {
        var aa = Field25519.Square(Field25519.Add(x, z));
        var bb = Field25519.Square(Field25519.Subtract(x, z));
        var e = Field25519.Subtract(aa, bb);
        x = Field25519.Multiply(aa, bb);
        z = Field25519.Multiply(e, Field25519.Add(aa, Field25519.MultiplySmall(e, A24)));
    }

    private static void Clamp(Span<byte> scalar)
    {
        scalar[0] &= 248;
        scalar[31] &= 127;
        scalar[31] |= 64;
    }

    /// <summary>The affine u-coordinate of scalar * (u, ...), RFC 7748 §5 ladder.</summary>
    private static FieldElement Ladder(ReadOnlySpan<byte> scalar, in FieldElement u)
    {
        var x2 = Field25519.One;
        var z2 = default(FieldElement);
        var x3 = u;
        var z3 = Field25519.One;
        ulong swap = 0;

        for (var t = ScalarBits - 1; t >= 0; t--)
        {
            var bit = (ulong)((scalar[t >> 3] >> (t & 7)) & 1);
            swap ^= bit;
            Field25519.ConditionalSwap(ref x2, ref x3, swap);
            Field25519.ConditionalSwap(ref z2, ref z3, swap);
            swap = bit;

            var a = Field25519.Add(x2, z2);
            var aa = Field25519.Square(a);
            var b = Field25519.Subtract(x2, z2);
            var bb = Field25519.Square(b);
            var e = Field25519.Subtract(aa, bb);
            var c = Field25519.Add(x3, z3);
            var d = Field25519.Subtract(x3, z3);
            var da = Field25519.Multiply(d, a);
            var cb = Field25519.Multiply(c, b);
            x3 = Field25519.Square(Field25519.Add(da, cb));
            z3 = Field25519.Multiply(u, Field25519.Square(Field25519.Subtract(da, cb)));
            x2 = Field25519.Multiply(aa, bb);
            z2 = Field25519.Multiply(e, Field25519.Add(aa, Field25519.MultiplySmall(e, A24)));
        }

        Field25519.ConditionalSwap(ref x2, ref x3, swap);
        Field25519.ConditionalSwap(ref z2, ref z3, swap);
        return Field25519.Multiply(x2, Field25519.Invert(z2));
    }
}
