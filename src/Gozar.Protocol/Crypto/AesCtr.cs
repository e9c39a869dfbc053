using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Gozar.Protocol.Crypto;

/// <summary>
/// AES-256 in CTR mode (spec §2.3): the IV is a 128-bit big-endian counter incremented per
/// 16-byte block. The stream position persists across calls, so a transform can continue at
/// any byte offset. Encryption and decryption are the same operation.
/// </summary>
public sealed class AesCtr : IDisposable
{
    public const int KeySize = 32;
    public const int IvSize = 16;
    private const int BlockSize = 16;

    private readonly Aes _aes;
    private readonly byte[] _counter = new byte[BlockSize];
    private readonly byte[] _keystream = new byte[BlockSize];
    private int _used = BlockSize;

    public AesCtr(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv)
    {
        if (key.Length != KeySize)
        {
            throw new ArgumentException("AES-256 needs a 32-byte key.", nameof(key));
        }

        if (iv.Length != IvSize)
        {
            throw new ArgumentException("CTR needs a 16-byte IV.", nameof(iv));
        }

        _aes = Aes.Create();
        _aes.Key = key.ToArray();
        iv.CopyTo(_counter);
    }

    public void Transform(Span<byte> data) => Transform(data, data);

    /// <summary>output = input XOR keystream(first) XOR keystream(second), both streams advancing.</summary>
    public static void TransformTwice(AesCtr first, AesCtr second, ReadOnlySpan<byte> input, Span<byte> output)
    {
        first.Transform(input, output);
        second.Transform(output, output);
    }

    public void Transform(ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (output.Length < input.Length)
        {
            throw new ArgumentException("Output is shorter than input.", nameof(output));
        }

        for (var i = 0; i < input.Length; i++)
        {
            if (_used == BlockSize)
            {
                _aes.EncryptEcb(_counter, _keystream, PaddingMode.None);
                Increment(_counter);
                _used = 0;
            }

            output[i] = (byte)(input[i] ^ _keystream[_used++]);
        }
    }

    private static void Increment(Span<byte> counter)
    {
        var low = BinaryPrimitives.ReadUInt64BigEndian(counter[8..]) + 1;
        BinaryPrimitives.WriteUInt64BigEndian(counter[8..], low);
        if (low == 0)
        {
            var high = BinaryPrimitives.ReadUInt64BigEndian(counter) + 1;
            BinaryPrimitives.WriteUInt64BigEndian(counter, high);
        }
    }

    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_keystream);
        CryptographicOperations.ZeroMemory(_counter);
        _aes.Dispose();
    }
}
