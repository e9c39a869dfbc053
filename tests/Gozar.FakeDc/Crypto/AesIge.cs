using System.Security.Cryptography;

namespace Gozar.FakeDc.Crypto;

/// <summary>
/// AES-256 in IGE mode as MTProto uses it, built on AES-ECB: c[i] = E(p[i] ^ c[i-1]) ^ p[i-1], with the 32-byte IV
/// holding c[-1] then p[-1].
/// </summary>
public static class AesIge
{
    public const int KeySize = 32;
    public const int IvSize = 32;
    public const int BlockSize = 16;

    public static byte[] Encrypt(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> plain)
    {
        var output = new byte[Check(key, iv, plain)];
        using var aes = CreateAes(key);
        Span<byte> previousCipher = stackalloc byte[BlockSize];
        Span<byte> previousPlain = stackalloc byte[BlockSize];
        Span<byte> block = stackalloc byte[BlockSize];
        iv[..BlockSize].CopyTo(previousCipher);
        iv[BlockSize..].CopyTo(previousPlain);
        for (var offset = 0; offset < plain.Length; offset += BlockSize)
        {
            var input = plain.Slice(offset, BlockSize);
            Xor(input, previousCipher, block);
            var result = output.AsSpan(offset, BlockSize);
            aes.EncryptEcb(block, result, PaddingMode.None);
            Xor(result, previousPlain, result);
            result.CopyTo(previousCipher);
            input.CopyTo(previousPlain);
        }

        return output;
    }

    public static byte[] Decrypt(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> cipher)
    {
        var output = new byte[Check(key, iv, cipher)];
        using var aes = CreateAes(key);
        Span<byte> previousCipher = stackalloc byte[BlockSize];
        Span<byte> previousPlain = stackalloc byte[BlockSize];
        Span<byte> block = stackalloc byte[BlockSize];
        iv[..BlockSize].CopyTo(previousCipher);
        iv[BlockSize..].CopyTo(previousPlain);
        for (var offset = 0; offset < cipher.Length; offset += BlockSize)
        {
            var input = cipher.Slice(offset, BlockSize);
            Xor(input, previousPlain, block);
            var result = output.AsSpan(offset, BlockSize);
            aes.DecryptEcb(block, result, PaddingMode.None);
            Xor(result, previousCipher, result);
            result.CopyTo(previousPlain);
            input.CopyTo(previousCipher);
        }

        return output;
    }

    private static int Check(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> data)
    {
        if (key.Length != KeySize || iv.Length != IvSize)
        {
            throw new ArgumentException("IGE needs a 32-byte key and a 32-byte IV.");
        }

        return data.Length % BlockSize == 0
            ? data.Length
            : throw new ArgumentException("IGE data is a whole number of 16-byte blocks.", nameof(data));
    }

    private static Aes CreateAes(ReadOnlySpan<byte> key)
    {
        var aes = Aes.Create();
        aes.Key = key.ToArray();
        return aes;
    }

    private static void Xor(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, Span<byte> destination)
    {
        for (var i = 0; i < BlockSize; i++)
        {
            destination[i] = (byte)(a[i] ^ b[i]);
        }
    }
}
