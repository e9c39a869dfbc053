using System.Buffers;
using System.Security.Cryptography;

namespace Gozar.Protocol.FakeTls;

/// <summary>
/// The fake-TLS authenticator (spec §5.2, §5.6): HMAC-SHA256 keyed by the user key over a message whose
/// random field (bytes 11..43 of the first record) is taken as zeros.
/// </summary>
internal static class FakeTlsHmac
{
    public const int DigestLength = 32;

    /// <summary>Messages up to this size are hashed from a stack copy; larger ones from a pooled array.</summary>
    public const int StackCopyLimit = 2048;

    /// <summary>
    /// digest := HMAC-SHA256(key, prefix || message) where message[11..43] is replaced by zeros.
    /// </summary>
    public static void ComputeWithZeroedRandom(
        ReadOnlySpan<byte> key,
        ReadOnlySpan<byte> prefix,
        ReadOnlySpan<byte> message,
        Span<byte> digest)
    {
        var length = prefix.Length + message.Length;
        byte[]? rented = null;
        Span<byte> scratch = length <= StackCopyLimit
            ? stackalloc byte[StackCopyLimit]
            : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            var copy = scratch[..length];
            prefix.CopyTo(copy);
            message.CopyTo(copy[prefix.Length..]);
            copy.Slice(prefix.Length + TlsWire.RandomOffset, TlsWire.RandomLength).Clear();
            Compute(key, copy, digest);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// digest := HMAC-SHA256(key, message), through the calling thread's keyed HMAC when the key has the usual length
    /// (see <see cref="KeyedHmacCache"/>).
    /// </summary>
    public static void Compute(ReadOnlySpan<byte> key, ReadOnlySpan<byte> message, Span<byte> digest)
    {
        if (KeyedHmacCache.For(key) is { } hmac)
        {
            hmac.Compute(message, digest);
            return;
        }

        HMACSHA256.HashData(key, message, digest);
    }
}
