using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using X86Aes = System.Runtime.Intrinsics.X86.Aes;
using X86Sse2 = System.Runtime.Intrinsics.X86.Sse2;

namespace Gozar.Protocol.Crypto;

/// <summary>
/// AES-256-CTR keystream on x86 AES-NI. Round keys are 15 consecutive 16-byte blocks in the
/// FIPS-197 byte order, which is also the order AESENC expects.
/// </summary>
internal static class AesNiCtr
{
    public const int RoundKeysSize = 15 * BlockSize;
    private const int BlockSize = 16;
    private const int LastRound = 14;

    public static bool IsSupported => X86Aes.IsSupported;

    /// <summary>AES-256 key expansion with AESKEYGENASSIST, which keeps the S-box lookups constant-time.</summary>
    public static void ExpandKey(ReadOnlySpan<byte> key, Span<byte> roundKeys)
    {
        // Round key i mixes round key i-2 with the transformed last word of round key i-1:
        // RotWord+SubWord+Rcon for even i, SubWord only for odd i (FIPS-197 §5.2, Nk = 8).
        // The Rcon operand of AESKEYGENASSIST must be an immediate, hence the unrolled sequence.
        var k0 = Vector128.Create(key[..BlockSize]);
        var k1 = Vector128.Create(key[BlockSize..]);
        var k2 = MixEven(k0, X86Aes.KeygenAssist(k1, 0x01));
        var k3 = MixOdd(k1, X86Aes.KeygenAssist(k2, 0));
        var k4 = MixEven(k2, X86Aes.KeygenAssist(k3, 0x02));
        var k5 = MixOdd(k3, X86Aes.KeygenAssist(k4, 0));
        var k6 = MixEven(k4, X86Aes.KeygenAssist(k5, 0x04));
        var k7 = MixOdd(k5, X86Aes.KeygenAssist(k6, 0));
        var k8 = MixEven(k6, X86Aes.KeygenAssist(k7, 0x08));
        var k9 = MixOdd(k7, X86Aes.KeygenAssist(k8, 0));
        var k10 = MixEven(k8, X86Aes.KeygenAssist(k9, 0x10));
        var k11 = MixOdd(k9, X86Aes.KeygenAssist(k10, 0));
        var k12 = MixEven(k10, X86Aes.KeygenAssist(k11, 0x20));
        var k13 = MixOdd(k11, X86Aes.KeygenAssist(k12, 0));
        var k14 = MixEven(k12, X86Aes.KeygenAssist(k13, 0x40));

        k0.CopyTo(roundKeys);
        k1.CopyTo(roundKeys[BlockSize..]);
        k2.CopyTo(roundKeys[(2 * BlockSize)..]);
        k3.CopyTo(roundKeys[(3 * BlockSize)..]);
        k4.CopyTo(roundKeys[(4 * BlockSize)..]);
        k5.CopyTo(roundKeys[(5 * BlockSize)..]);
        k6.CopyTo(roundKeys[(6 * BlockSize)..]);
        k7.CopyTo(roundKeys[(7 * BlockSize)..]);
        k8.CopyTo(roundKeys[(8 * BlockSize)..]);
        k9.CopyTo(roundKeys[(9 * BlockSize)..]);
        k10.CopyTo(roundKeys[(10 * BlockSize)..]);
        k11.CopyTo(roundKeys[(11 * BlockSize)..]);
        k12.CopyTo(roundKeys[(12 * BlockSize)..]);
        k13.CopyTo(roundKeys[(13 * BlockSize)..]);
        k14.CopyTo(roundKeys[(14 * BlockSize)..]);
    }

    private static Vector128<byte> MixEven(Vector128<byte> previous, Vector128<byte> assist) =>
        MixPrevious(previous, X86Sse2.Shuffle(assist.AsUInt32(), 0xFF).AsByte());

    private static Vector128<byte> MixOdd(Vector128<byte> previous, Vector128<byte> assist) =>
        MixPrevious(previous, X86Sse2.Shuffle(assist.AsUInt32(), 0xAA).AsByte());

    private static Vector128<byte> MixPrevious(Vector128<byte> previous, Vector128<byte> broadcastWord)
    {
        // Prefix XOR of the four words: w[j] ^= w[j-1] ^ ... ^ w[0].
        previous ^= X86Sse2.ShiftLeftLogical128BitLane(previous, 4);
        previous ^= X86Sse2.ShiftLeftLogical128BitLane(previous, 4);
        previous ^= X86Sse2.ShiftLeftLogical128BitLane(previous, 4);
        return previous ^ broadcastWord;
    }

    /// <summary>Encrypts one counter block into <paramref name="destination"/> and advances the counter.</summary>
    public static void EncryptCounter(ref byte roundKeys, ref UInt128 counter, ref byte destination)
    {
        var block = CounterBlock(counter) ^ Vector128.LoadUnsafe(ref roundKeys);
        for (nuint r = 1; r < LastRound; r++)
        {
            block = X86Aes.Encrypt(block, RoundKey(ref roundKeys, r));
        }

        X86Aes.EncryptLast(block, RoundKey(ref roundKeys, LastRound)).StoreUnsafe(ref destination);
        counter++;
    }

    /// <summary>output = input XOR keystream for <paramref name="blocks"/> whole blocks, 8 blocks per step.</summary>
    /// <remarks>
    /// Not inlinable: inlined into a tier-1 caller, the caller's inlining budget ran out and the
    /// per-block helpers became real calls, running 3-4 times slower.
    /// </remarks>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void XorBlocks(ref byte roundKeys, ref UInt128 counter, ref byte input, ref byte output, nuint blocks)
    {
        var k0 = Vector128.LoadUnsafe(ref roundKeys);
        var kLast = RoundKey(ref roundKeys, LastRound);
        nuint offset = 0;
        var steps = SplitAtCarry(counter, blocks, 8);
        var ctr = Counter(counter);
        blocks -= steps * 8;

        // The counter stays in a register as two little-endian lanes; each block is one add and one byte
        // shuffle. UInt128 arithmetic per block cost a call under Native AOT.
        for (; steps > 0; steps--, offset += 8 * BlockSize)
        {
            var b0 = BigEndian(ctr) ^ k0;
            var b1 = BigEndian(ctr + Vector128.Create(1UL, 0)) ^ k0;
            var b2 = BigEndian(ctr + Vector128.Create(2UL, 0)) ^ k0;
            var b3 = BigEndian(ctr + Vector128.Create(3UL, 0)) ^ k0;
            var b4 = BigEndian(ctr + Vector128.Create(4UL, 0)) ^ k0;
            var b5 = BigEndian(ctr + Vector128.Create(5UL, 0)) ^ k0;
            var b6 = BigEndian(ctr + Vector128.Create(6UL, 0)) ^ k0;
            var b7 = BigEndian(ctr + Vector128.Create(7UL, 0)) ^ k0;
            ctr += Vector128.Create(8UL, 0);

            for (nuint r = 1; r < LastRound; r++)
            {
                var k = RoundKey(ref roundKeys, r);
                b0 = X86Aes.Encrypt(b0, k);
                b1 = X86Aes.Encrypt(b1, k);
                b2 = X86Aes.Encrypt(b2, k);
                b3 = X86Aes.Encrypt(b3, k);
                b4 = X86Aes.Encrypt(b4, k);
                b5 = X86Aes.Encrypt(b5, k);
                b6 = X86Aes.Encrypt(b6, k);
                b7 = X86Aes.Encrypt(b7, k);
            }

            XorStore(X86Aes.EncryptLast(b0, kLast), ref input, ref output, offset);
            XorStore(X86Aes.EncryptLast(b1, kLast), ref input, ref output, offset + BlockSize);
            XorStore(X86Aes.EncryptLast(b2, kLast), ref input, ref output, offset + (2 * BlockSize));
            XorStore(X86Aes.EncryptLast(b3, kLast), ref input, ref output, offset + (3 * BlockSize));
            XorStore(X86Aes.EncryptLast(b4, kLast), ref input, ref output, offset + (4 * BlockSize));
            XorStore(X86Aes.EncryptLast(b5, kLast), ref input, ref output, offset + (5 * BlockSize));
            XorStore(X86Aes.EncryptLast(b6, kLast), ref input, ref output, offset + (6 * BlockSize));
            XorStore(X86Aes.EncryptLast(b7, kLast), ref input, ref output, offset + (7 * BlockSize));
        }

        counter = FromCounter(ctr);

        // The remaining blocks (fewer than 8, or any near a carry out of the low 64 bits) are independent of each
        // other, so the CPU still overlaps them.
        for (; blocks > 0; blocks--, offset += BlockSize)
        {
            var b = CounterBlock(counter) ^ k0;
            counter++;
            for (nuint r = 1; r < LastRound; r++)
            {
                b = X86Aes.Encrypt(b, RoundKey(ref roundKeys, r));
            }

            XorStore(X86Aes.EncryptLast(b, kLast), ref input, ref output, offset);
        }
    }

    /// <summary>
    /// output = input XOR keystream1 XOR keystream2 for whole blocks: two independent CTR streams,
    /// 4 blocks of each in flight per step, without writing the intermediate text.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void XorBlocksTwice(
        ref byte roundKeys1,
        ref UInt128 counter1,
        ref byte roundKeys2,
        ref UInt128 counter2,
        ref byte input,
        ref byte output,
        nuint blocks)
    {
        nuint offset = 0;
        var steps = Math.Min(SplitAtCarry(counter1, blocks, 4), SplitAtCarry(counter2, blocks, 4));
        var ctr1 = Counter(counter1);
        var ctr2 = Counter(counter2);
        blocks -= steps * 4;

        for (; steps > 0; steps--, offset += 4 * BlockSize)
        {
            var k = Vector128.LoadUnsafe(ref roundKeys1);
            var a0 = BigEndian(ctr1) ^ k;
            var a1 = BigEndian(ctr1 + Vector128.Create(1UL, 0)) ^ k;
            var a2 = BigEndian(ctr1 + Vector128.Create(2UL, 0)) ^ k;
            var a3 = BigEndian(ctr1 + Vector128.Create(3UL, 0)) ^ k;
            k = Vector128.LoadUnsafe(ref roundKeys2);
            var b0 = BigEndian(ctr2) ^ k;
            var b1 = BigEndian(ctr2 + Vector128.Create(1UL, 0)) ^ k;
            var b2 = BigEndian(ctr2 + Vector128.Create(2UL, 0)) ^ k;
            var b3 = BigEndian(ctr2 + Vector128.Create(3UL, 0)) ^ k;
            ctr1 += Vector128.Create(4UL, 0);
            ctr2 += Vector128.Create(4UL, 0);

            for (nuint r = 1; r < LastRound; r++)
            {
                k = RoundKey(ref roundKeys1, r);
                a0 = X86Aes.Encrypt(a0, k);
                a1 = X86Aes.Encrypt(a1, k);
                a2 = X86Aes.Encrypt(a2, k);
                a3 = X86Aes.Encrypt(a3, k);
                k = RoundKey(ref roundKeys2, r);
                b0 = X86Aes.Encrypt(b0, k);
                b1 = X86Aes.Encrypt(b1, k);
                b2 = X86Aes.Encrypt(b2, k);
                b3 = X86Aes.Encrypt(b3, k);
            }

            var last1 = RoundKey(ref roundKeys1, LastRound);
            var last2 = RoundKey(ref roundKeys2, LastRound);
            XorStore(X86Aes.EncryptLast(a0, last1) ^ X86Aes.EncryptLast(b0, last2), ref input, ref output, offset);
            XorStore(X86Aes.EncryptLast(a1, last1) ^ X86Aes.EncryptLast(b1, last2), ref input, ref output, offset + BlockSize);
            XorStore(X86Aes.EncryptLast(a2, last1) ^ X86Aes.EncryptLast(b2, last2), ref input, ref output, offset + (2 * BlockSize));
            XorStore(X86Aes.EncryptLast(a3, last1) ^ X86Aes.EncryptLast(b3, last2), ref input, ref output, offset + (3 * BlockSize));
        }

        counter1 = FromCounter(ctr1);
        counter2 = FromCounter(ctr2);
        if (blocks > 0)
        {
            XorBlocks(ref roundKeys1, ref counter1, ref Unsafe.Add(ref input, offset), ref Unsafe.Add(ref output, offset), blocks);
            XorBlocks(ref roundKeys2, ref counter2, ref Unsafe.Add(ref output, offset), ref Unsafe.Add(ref output, offset), blocks);
        }
    }

    /// <summary>
    /// How many steps of <paramref name="perStep"/> blocks fit in <paramref name="blocks"/> without the low 64 bits of
    /// the counter wrapping inside the run (the lane adds do not carry; the blocks left go one by one).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static nuint SplitAtCarry(UInt128 counter, nuint blocks, nuint perStep)
    {
        var beforeWrap = ulong.MaxValue - (ulong)counter;
        var steps = blocks / perStep;
        return (ulong)steps * perStep <= beforeWrap ? steps : (nuint)(beforeWrap / perStep);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> Counter(UInt128 counter) =>
        Vector128.Create((ulong)counter, (ulong)(counter >> 64));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static UInt128 FromCounter(Vector128<ulong> counter) =>
        new(counter.GetElement(1), counter.GetElement(0));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> BigEndian(Vector128<ulong> counter) =>
        Vector128.Shuffle(
            counter.AsByte(),
            Vector128.Create((byte)15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> RoundKey(ref byte roundKeys, nuint round) =>
        Vector128.LoadUnsafe(ref roundKeys, round * BlockSize);

    /// <summary>The 128-bit counter as a big-endian block (spec §2.3).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> CounterBlock(UInt128 counter) => BigEndian(Counter(counter));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void XorStore(Vector128<byte> keystream, ref byte input, ref byte output, nuint offset) =>
        (Vector128.LoadUnsafe(ref input, offset) ^ keystream).StoreUnsafe(ref output, offset);
}
