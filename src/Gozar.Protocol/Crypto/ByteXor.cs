using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Gozar.Protocol.Crypto;

internal static class ByteXor
{
    /// <summary>
    /// output[i] = data[i] ^ keystream[i] for i &lt; data.Length. <paramref name="output"/> may be
    /// the same memory as <paramref name="data"/>: every element is read before it is written.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply(ReadOnlySpan<byte> data, ReadOnlySpan<byte> keystream, Span<byte> output)
    {
        var length = (nuint)data.Length;
        if ((nuint)keystream.Length < length || (nuint)output.Length < length)
        {
            throw new ArgumentException("Keystream or output is shorter than the data.");
        }

        ref var src = ref MemoryMarshal.GetReference(data);
        ref var key = ref MemoryMarshal.GetReference(keystream);
        ref var dst = ref MemoryMarshal.GetReference(output);
        nuint i = 0;

        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + (nuint)Vector256<byte>.Count <= length; i += (nuint)Vector256<byte>.Count)
            {
                (Vector256.LoadUnsafe(ref src, i) ^ Vector256.LoadUnsafe(ref key, i)).StoreUnsafe(ref dst, i);
            }
        }

        for (; i + (nuint)Vector128<byte>.Count <= length; i += (nuint)Vector128<byte>.Count)
        {
            (Vector128.LoadUnsafe(ref src, i) ^ Vector128.LoadUnsafe(ref key, i)).StoreUnsafe(ref dst, i);
        }

        for (; i < length; i++)
        {
            Unsafe.Add(ref dst, i) = (byte)(Unsafe.Add(ref src, i) ^ Unsafe.Add(ref key, i));
        }
    }
}
