using Gozar.Protocol.Crypto;

namespace Gozar.Protocol.Tests.Crypto;

public class AesCtrTests
{
    // NIST SP 800-38A, F.5.5 / F.5.6 (CTR-AES256); checked against `openssl enc -aes-256-ctr`.
    private const string NistKey = "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4";
    private const string NistCounter = "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";

    private const string NistPlaintext =
        "6bc1bee22e409f96e93d7e117393172a" +
        "ae2d8a571e03ac9c9eb76fac45af8e51" +
        "30c81c46a35ce411e5fbc1191a0a52ef" +
        "f69f2445df4f9b17ad2b417be66c3710";

    private const string NistCiphertext =
        "601ec313775789a5b7a7f504bbf3d228" +
        "f443e3ca4d62b59aca84e990cacaf5c5" +
        "2b0930daa23de94ce87017ba2d84988d" +
        "dfc9c58db67aada613c2dd08457941a6";

    // Keystreams (encryption of zeros) from `openssl enc -aes-256-ctr -K 000102..1f -iv <iv>`.
    private const string CarryKey = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    private const string Carry64Iv = "0123456789abcdeffffffffffffffffc";

    private const string Carry64Keystream =
        "99f9baf11fe6ffa0e679bd8c19de2bdda14682bba4bab4639b4822412f2342bb" +
        "290856e30c914670a49c61b13e817324d90e1e46e3280c611be643dd0bbe2cb9" +
        "e2640a890b1de11e12dc2f1535db76b50b47ecab4a5b37155bc9dafe5aefb7eb" +
        "95ac7f8b693fa61c7a958cf041e3a184f7cfab92083872aa9725ef4fc8c62546" +
        "a39fbee312f8e8edc61b676f2c4518d881197b76007a8d1d00e3da26ccda0cb8";

    private const string Carry128Iv = "fffffffffffffffffffffffffffffffd";

    private const string Carry128Keystream =
        "48153bf82a75651572790b985562ae5c63e5b402b51e48ddfaedf9de99cc2744" +
        "e999e41d4ca770da5387117b5d8f57eef29000b62a499fd0a9f39a6add2e7780" +
        "f05d76ae4ab99fe5a6f69b3148c2363d0ebcb5deb52c83bd08a8a935182c9199" +
        "d24356532881602f809eb383c5ff5d564e5fe6bc2af2b80633c371f5c1ce694e" +
        "a90741e6797146a550b63f264a604ee4e96f3e0a91d150e2d389d3c716244899";

    public static TheoryData<bool> Paths => new() { false, true };

    [Theory]
    [MemberData(nameof(Paths))]
    public void Transform_NistF55Encrypt_MatchesCiphertext(bool portable)
    {
        using var ctr = Create(NistKey, NistCounter, portable);
        var output = new byte[64];

        ctr.Transform(Convert.FromHexString(NistPlaintext), output);

        Assert.Equal(NistCiphertext, Convert.ToHexStringLower(output));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Transform_NistF56Decrypt_MatchesPlaintext(bool portable)
    {
        using var ctr = Create(NistKey, NistCounter, portable);
        var data = Convert.FromHexString(NistCiphertext);

        ctr.Transform(data);

        Assert.Equal(NistPlaintext, Convert.ToHexStringLower(data));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Transform_NistByteByByte_MatchesCiphertext(bool portable)
    {
        using var ctr = Create(NistKey, NistCounter, portable);
        var data = Convert.FromHexString(NistPlaintext);

        for (var i = 0; i < data.Length; i++)
        {
            ctr.Transform(data.AsSpan(i, 1));
        }

        Assert.Equal(NistCiphertext, Convert.ToHexStringLower(data));
    }

    [Theory]
    [InlineData(Carry64Iv, Carry64Keystream, false)]
    [InlineData(Carry64Iv, Carry64Keystream, true)]
    [InlineData(Carry128Iv, Carry128Keystream, false)]
    [InlineData(Carry128Iv, Carry128Keystream, true)]
    public void Transform_CounterCarries_MatchesOpenSsl(string iv, string keystream, bool portable)
    {
        using var ctr = Create(CarryKey, iv, portable);
        var data = new byte[160];

        ctr.Transform(data);

        Assert.Equal(keystream, Convert.ToHexStringLower(data));
    }

    [Theory]
    [InlineData(Carry64Iv, Carry64Keystream, false)]
    [InlineData(Carry64Iv, Carry64Keystream, true)]
    [InlineData(Carry128Iv, Carry128Keystream, false)]
    [InlineData(Carry128Iv, Carry128Keystream, true)]
    public void Transform_CounterCarriesInUnevenChunks_MatchesOpenSsl(string iv, string keystream, bool portable)
    {
        using var ctr = Create(CarryKey, iv, portable);
        var data = new byte[160];

        ctr.Transform(data.AsSpan(0, 7));
        ctr.Transform(data.AsSpan(7, 30));
        ctr.Transform(data.AsSpan(37, 123));

        Assert.Equal(keystream, Convert.ToHexStringLower(data));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Transform_SeparateOutput_LeavesInputUnchanged(bool portable)
    {
        using var ctr = Create(NistKey, NistCounter, portable);
        var input = Convert.FromHexString(NistPlaintext);
        var output = new byte[input.Length + 5];

        ctr.Transform(input, output);

        Assert.Equal(NistPlaintext, Convert.ToHexStringLower(input));
        Assert.Equal(NistCiphertext, Convert.ToHexStringLower(output.AsSpan(0, 64)));
        Assert.Equal(new byte[5], output[64..]);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Transform_LargeBuffer_MatchesReference(bool portable)
    {
        var key = Pattern(32, 3);
        var iv = Pattern(16, 11);
        var data = Pattern(70_001, 5);
        using var ctr = new AesCtr(key, iv, portable);
        var output = new byte[data.Length];

        ctr.Transform(data, output);

        Assert.Equal(ReferenceCtr.Transform(key, iv, data), output);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Transform_TwiceWithSameKeyAndIv_RestoresPlaintext(bool portable)
    {
        var data = Pattern(1000, 1);
        using var encryptor = Create(NistKey, NistCounter, portable);
        using var decryptor = Create(NistKey, NistCounter, !portable);
        var copy = (byte[])data.Clone();

        encryptor.Transform(copy);
        decryptor.Transform(copy);

        Assert.Equal(data, copy);
    }

    [Fact]
    public void Constructor_OnAesNiCpu_UsesHardwarePath()
    {
        using var ctr = Create(NistKey, NistCounter, portable: false);
        using var portable = Create(NistKey, NistCounter, portable: true);

        Assert.Equal(System.Runtime.Intrinsics.X86.Aes.IsSupported, ctr.IsHardwareAccelerated);
        Assert.False(portable.IsHardwareAccelerated);
    }

    [Theory]
    [InlineData(31, 16)]
    [InlineData(32, 15)]
    [InlineData(33, 17)]
    public void Constructor_WrongSizes_Throws(int keySize, int ivSize) =>
        Assert.Throws<ArgumentException>(() => new AesCtr(new byte[keySize], new byte[ivSize]));

    [Fact]
    public void Transform_OutputShorterThanInput_Throws()
    {
        using var ctr = Create(NistKey, NistCounter, portable: false);

        Assert.Throws<ArgumentException>(() => ctr.Transform(new byte[17], new byte[16]));
    }

    [Fact]
    public void Transform_PartiallyOverlappingOutput_Throws()
    {
        using var ctr = Create(NistKey, NistCounter, portable: false);
        var buffer = new byte[64];

        Assert.Throws<ArgumentException>(() => ctr.Transform(buffer.AsSpan(0, 32), buffer.AsSpan(1, 32)));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Transform_AfterDispose_Throws(bool portable)
    {
        var ctr = Create(NistKey, NistCounter, portable);
        ctr.Dispose();
        ctr.Dispose();

        Assert.Throws<ObjectDisposedException>(() => ctr.Transform(new byte[16]));
    }

    [Theory]
    [InlineData(Carry64Iv, Carry64Keystream)]
    [InlineData(Carry128Iv, Carry128Keystream)]
    public void WriteKeystreamBlock_EveryBlock_MatchesStream(string iv, string keystream)
    {
        var block = new byte[16];
        for (var i = 0; i < keystream.Length / 32; i++)
        {
            AesCtr.WriteKeystreamBlock(Convert.FromHexString(CarryKey), Convert.FromHexString(iv), i, block);

            Assert.Equal(keystream.Substring(i * 32, 32), Convert.ToHexStringLower(block));
        }
    }

    [SkippableFact]
    public void WriteKeystreamBlock_OnAesNiCpu_DoesNotAllocate()
    {
        Xunit.Skip.IfNot(System.Runtime.Intrinsics.X86.Aes.IsSupported, "The portable path creates a platform cipher.");
        var key = Convert.FromHexString(CarryKey);
        var iv = Convert.FromHexString(Carry64Iv);
        var block = new byte[16];
        AesCtr.WriteKeystreamBlock(key, iv, 3, block);

        var before = GC.GetAllocatedBytesForCurrentThread();
        AesCtr.WriteKeystreamBlock(key, iv, 3, block);

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Transform_SteadyState_DoesNotAllocate(bool portable)
    {
        using var ctr = Create(NistKey, NistCounter, portable);
        using var other = Create(CarryKey, Carry64Iv, portable);
        var buffer = new byte[16384 + 7];
        int[] sizes = [1, 15, 16, 17, 100, 128, 1024, 1500, 16384 + 7];
        foreach (var size in sizes)
        {
            ctr.Transform(buffer.AsSpan(0, size));
            AesCtr.TransformTwice(ctr, other, buffer.AsSpan(0, size), buffer.AsSpan(0, size));
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var size in sizes)
        {
            ctr.Transform(buffer.AsSpan(0, size));
            AesCtr.TransformTwice(ctr, other, buffer.AsSpan(0, size), buffer.AsSpan(0, size));
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Theory]
    [InlineData(0, 0, false)]
    [InlineData(5, 5, false)]
    [InlineData(5, 21, false)]
    [InlineData(3, 9, false)]
    [InlineData(0, 0, true)]
    [InlineData(3, 9, true)]
    public void TransformTwice_AnyStreamOffsets_EqualsTwoTransforms(int skipFirst, int skipSecond, bool portable)
    {
        var data = Pattern(5000, 9);
        // The managed fused pass against two plain transforms, which take the 4500-byte chunk to libcrypto when it is there.
        using var fusedFirst = new AesCtr(Pattern(32, 1), Pattern(16, 2), portable, allowNative: false);
        using var fusedSecond = new AesCtr(Pattern(32, 3), Pattern(16, 4), portable, allowNative: false);
        using var plainFirst = new AesCtr(Pattern(32, 1), Pattern(16, 2));
        using var plainSecond = new AesCtr(Pattern(32, 3), Pattern(16, 4));
        Skip(fusedFirst, plainFirst, skipFirst);
        Skip(fusedSecond, plainSecond, skipSecond);
        var fused = new byte[data.Length];
        var expected = new byte[data.Length];

        var offset = 0;
        foreach (var size in new[] { 3, 16, 200, 1, 4500, 280 })
        {
            AesCtr.TransformTwice(fusedFirst, fusedSecond, data.AsSpan(offset, size), fused.AsSpan(offset, size));
            plainFirst.Transform(data.AsSpan(offset, size), expected.AsSpan(offset, size));
            plainSecond.Transform(expected.AsSpan(offset, size));
            offset += size;
        }

        Assert.Equal(data.Length, offset);
        Assert.Equal(expected, fused);
    }

    [Theory]
    [InlineData("0123456789abcdefffffffffffffff83", 4096)]
    [InlineData("0123456789abcdeffffffffffffffffa", 4099)]
    [InlineData("fffffffffffffffffffffffffffffe00", 70_001)]
    public void Transform_ManyBlocksAcrossLowWordWrap_MatchesReference(string iv, int length)
    {
        var key = Pattern(32, 7);
        var ivBytes = Convert.FromHexString(iv);
        foreach (var allowNative in new[] { false, true })
        {
            var data = Pattern(length, 2);
            using var ctr = new AesCtr(key, ivBytes, forcePortable: false, allowNative);

            ctr.Transform(data.AsSpan(0, 21));
            ctr.Transform(data.AsSpan(21));

            Assert.Equal(ReferenceCtr.Transform(key, ivBytes, Pattern(length, 2)), data);
        }
    }

    [Theory]
    [InlineData("0123456789abcdefffffffffffffff83", "00000000000000000000000000000000")]
    [InlineData("00000000000000000000000000000000", "0123456789abcdeffffffffffffffff9")]
    [InlineData("fffffffffffffffffffffffffffffe00", "0123456789abcdeffffffffffffffe01")]
    public void TransformTwice_AcrossLowWordWrap_MatchesReference(string firstIv, string secondIv)
    {
        var firstKey = Pattern(32, 1);
        var secondKey = Pattern(32, 9);
        var expected = ReferenceCtr.Transform(secondKey, Convert.FromHexString(secondIv), ReferenceCtr.Transform(firstKey, Convert.FromHexString(firstIv), Pattern(40_000, 3)));
        foreach (var allowNative in new[] { false, true })
        {
            var data = Pattern(40_000, 3);
            using var first = new AesCtr(firstKey, Convert.FromHexString(firstIv), forcePortable: false, allowNative);
            using var second = new AesCtr(secondKey, Convert.FromHexString(secondIv), forcePortable: false, allowNative);

            AesCtr.TransformTwice(first, second, data, data);

            Assert.Equal(expected, data);
        }
    }

    [Theory]
    [InlineData("0123456789abcdefffffffffffffff83")]
    [InlineData("fffffffffffffffffffffffffffffff0")]
    public void Transform_BulkChunkAfterSmallOnes_MovesToTheSystemLibraryAndContinuesTheStream(string iv)
    {
        var key = Pattern(32, 11);
        var ivBytes = Convert.FromHexString(iv);
        int[] sizes = [3, 40, 1023, 7, 1500, 1, 16384, 5, 2000];
        var data = Pattern(sizes.Sum(), 4);
        using var ctr = new AesCtr(key, ivBytes);

        var offset = 0;
        var movedAt = -1;
        foreach (var size in sizes)
        {
            ctr.Transform(data.AsSpan(offset, size));
            offset += size;
            if (movedAt < 0 && ctr.UsesNativeLibrary)
            {
                movedAt = size;
            }
        }

        Assert.Equal(ReferenceCtr.Transform(key, ivBytes, Pattern(sizes.Sum(), 4)), data);
        Assert.Equal(ctr.IsHardwareAccelerated && NativeCtr.IsAvailable ? 1500 : -1, movedAt);
    }

    [Theory]
    [InlineData("0123456789abcdefffffffffffffff83")]
    [InlineData("fffffffffffffffffffffffffffffff0")]
    public void Rest_BetweenBulkChunksAtAnyOffset_StreamContinuesAndLeavesTheSystemLibrary(string iv)
    {
        var key = Pattern(32, 12);
        var ivBytes = Convert.FromHexString(iv);

        // Rests after bulk chunks that end inside a block and on a block boundary, and after small packets.
        int[] sizes = [5, 1500, -1, 7, 2048, -1, 3, -1, 1024, 9, 4099, -1, 16, 30000, -1, 1];
        var total = sizes.Where(size => size > 0).Sum();
        var data = Pattern(total, 6);
        using var ctr = new AesCtr(key, ivBytes);

        var offset = 0;
        var moves = 0;
        foreach (var size in sizes)
        {
            if (size < 0)
            {
                moves += ctr.UsesNativeLibrary ? 1 : 0;
                ctr.Rest();
                Assert.False(ctr.UsesNativeLibrary);
                continue;
            }

            ctr.Transform(data.AsSpan(offset, size));
            offset += size;
        }

        Assert.Equal(ReferenceCtr.Transform(key, ivBytes, Pattern(total, 6)), data);
        Assert.Equal(ctr.IsHardwareAccelerated && NativeCtr.IsAvailable ? 4 : 0, moves);
    }

    [Fact]
    public void TransformTwice_RestBetweenBulkChunks_EqualsTwoReferenceStreams()
    {
        var firstKey = Pattern(32, 21);
        var secondKey = Pattern(32, 22);
        var firstIv = Pattern(16, 23);
        var secondIv = Pattern(16, 24);
        int[] sizes = [3, 5000, 77, 65536, 1];
        var data = Pattern(sizes.Sum(), 8);
        using var first = new AesCtr(firstKey, firstIv);
        using var second = new AesCtr(secondKey, secondIv);

        var offset = 0;
        foreach (var size in sizes)
        {
            AesCtr.TransformTwice(first, second, data.AsSpan(offset, size), data.AsSpan(offset, size));
            offset += size;
            first.Rest();
            second.Rest();
        }

        var expected = ReferenceCtr.Transform(secondKey, secondIv, ReferenceCtr.Transform(firstKey, firstIv, Pattern(sizes.Sum(), 8)));
        Assert.Equal(expected, data);
    }

    [Fact]
    public void Transform_SmallPacketsOnly_StayManaged()
    {
        using var ctr = new AesCtr(Pattern(32, 1), Pattern(16, 2));
        var packet = new byte[1023];
        for (var i = 0; i < 100; i++)
        {
            ctr.Transform(packet);
        }

        Assert.False(ctr.UsesNativeLibrary);
    }

    [Fact]
    public void TransformTwice_InPlace_EqualsTwoTransforms()
    {
        var data = Pattern(333, 4);
        var expected = (byte[])data.Clone();
        using (var first = new AesCtr(Pattern(32, 1), Pattern(16, 2)))
        using (var second = new AesCtr(Pattern(32, 3), Pattern(16, 4)))
        {
            first.Transform(expected);
            second.Transform(expected);
        }

        using var fusedFirst = new AesCtr(Pattern(32, 1), Pattern(16, 2));
        using var fusedSecond = new AesCtr(Pattern(32, 3), Pattern(16, 4));
        AesCtr.TransformTwice(fusedFirst, fusedSecond, data, data);

        Assert.Equal(expected, data);
    }

    [Fact]
    public void TransformTwice_SameInstanceTwice_ConsumesItsStreamTwice()
    {
        var data = Pattern(100, 4);
        var expected = (byte[])data.Clone();
        using (var plain = new AesCtr(Pattern(32, 1), Pattern(16, 2)))
        {
            plain.Transform(expected);
            plain.Transform(expected);
        }

        using var ctr = new AesCtr(Pattern(32, 1), Pattern(16, 2));
        AesCtr.TransformTwice(ctr, ctr, data, data);

        Assert.Equal(expected, data);
    }

    [Fact]
    public void TransformTwice_SameKeyAndIv_IsIdentity()
    {
        var data = Pattern(777, 6);
        using var first = new AesCtr(Pattern(32, 1), Pattern(16, 2));
        using var second = new AesCtr(Pattern(32, 1), Pattern(16, 2));
        var output = new byte[data.Length];

        AesCtr.TransformTwice(first, second, data, output);

        Assert.Equal(data, output);
    }

    private static void Skip(AesCtr fused, AesCtr plain, int count)
    {
        var scratch = new byte[count];
        fused.Transform(scratch);
        plain.Transform(scratch);
    }

    private static AesCtr Create(string key, string iv, bool portable) =>
        new(Convert.FromHexString(key), Convert.FromHexString(iv), portable);

    internal static byte[] Pattern(int length, int seed)
    {
        var result = new byte[length];
        for (var i = 0; i < length; i++)
        {
            result[i] = (byte)((i * 31) + (seed * 97) + (i >> 8));
        }

        return result;
    }
}
