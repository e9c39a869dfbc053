using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Gozar.Protocol.Tests.Crypto;

/// <summary>
/// Textbook CTR built only from the platform's AES-ECB, independent of AesCtr's code: keystream
/// block i is AES(key, IV + i mod 2^128) with the counter written big-endian.
/// </summary>
internal static class ReferenceCtr
{
    public static byte[] Keystream(byte[] key, byte[] iv, int length)
    {
        var blocks = (length + 15) / 16;
        var counters = new byte[blocks * 16];
        var start = BinaryPrimitives.ReadUInt128BigEndian(iv);
        for (var i = 0; i < blocks; i++)
        {
            BinaryPrimitives.WriteUInt128BigEndian(counters.AsSpan(i * 16), unchecked(start + (UInt128)i));
        }

        using var aes = Aes.Create();
        aes.Key = key;
        return aes.EncryptEcb(counters, PaddingMode.None)[..length];
    }

    public static byte[] Transform(byte[] key, byte[] iv, byte[] data)
    {
        var keystream = Keystream(key, iv, data.Length);
        var result = new byte[data.Length];
        for (var i = 0; i < data.Length; i++)
        {
            result[i] = (byte)(data[i] ^ keystream[i]);
        }

        return result;
    }
}
