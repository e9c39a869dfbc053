using System.Numerics;

namespace Gozar.FakeDc.Crypto;

/// <summary>
/// MTProto's key exchange writes its big numbers (pq, p, q, dh_prime, g_a, g_b, RSA blocks) as big-endian unsigned
/// bytes; these helpers keep every conversion unsigned so a set top bit never turns a value negative.
/// </summary>
public static class BigEndian
{
    public static BigInteger ToInteger(ReadOnlySpan<byte> bytes) => new(bytes, isUnsigned: true, isBigEndian: true);

    /// <summary>The shortest form, with no leading zero byte (zero itself is one byte).</summary>
    public static byte[] ToMinimalBytes(BigInteger value)
    {
        var bytes = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        return bytes.Length == 0 ? [0] : bytes;
    }

    /// <summary>Left-pads with zero bytes to <paramref name="length"/>.</summary>
    public static byte[] ToPaddedBytes(BigInteger value, int length)
    {
        var minimal = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        if (minimal.Length > length)
        {
            throw new ArgumentOutOfRangeException(nameof(value), $"The value needs more than {length} bytes.");
        }

        var padded = new byte[length];
        minimal.CopyTo(padded, length - minimal.Length);
        return padded;
    }
}
