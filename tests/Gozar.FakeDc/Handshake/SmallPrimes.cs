using System.Security.Cryptography;

namespace Gozar.FakeDc.Handshake;

/// <summary>The p and q of resPQ: two random primes below 2^31, so that pq fits the 63 bits clients factor.</summary>
internal static class SmallPrimes
{
    private const uint Lowest = 1u << 30;
    private const uint Highest = (1u << 31) - 1;

    public static (uint P, uint Q) NextPair()
    {
        var p = NextPrime();
        uint q;
        do
        {
            q = NextPrime();
        }
        while (q == p);

        return p < q ? (p, q) : (q, p);
    }

    private static uint NextPrime()
    {
        while (true)
        {
            var candidate = (uint)RandomNumberGenerator.GetInt32((int)Lowest, (int)Highest) | 1;
            if (IsPrime(candidate))
            {
                return candidate;
            }
        }
    }

    /// <summary>Miller-Rabin with bases 2, 7 and 61, which is exact for every 32-bit number.</summary>
    internal static bool IsPrime(uint n)
    {
        if (n < 2)
        {
            return false;
        }

        foreach (var small in (ReadOnlySpan<uint>)[2, 3, 5, 7, 11, 13, 61])
        {
            if (n % small == 0)
            {
                return n == small;
            }
        }

        var d = n - 1;
        var s = 0;
        while ((d & 1) == 0)
        {
            d >>= 1;
            s++;
        }

        foreach (var a in (ReadOnlySpan<uint>)[2, 7, 61])
        {
            var x = PowMod(a, d, n);
            if (x == 1 || x == n - 1)
            {
                continue;
            }

            var composite = true;
            for (var r = 1; r < s && composite; r++)
            {
                x = (uint)((ulong)x * x % n);
                composite = x != n - 1;
            }

            if (composite)
            {
                return false;
            }
        }

        return true;
    }

    private static uint PowMod(uint value, uint exponent, uint modulus)
    {
        ulong result = 1;
        ulong b = value % modulus;
        while (exponent > 0)
        {
            if ((exponent & 1) != 0)
            {
                result = result * b % modulus;
            }

            b = b * b % modulus;
            exponent >>= 1;
        }

        return (uint)result;
    }
}
