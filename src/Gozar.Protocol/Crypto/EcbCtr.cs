using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Gozar.Protocol.Crypto;

/// <summary>
/// AES-256-CTR keystream for CPUs without AES intrinsics reachable from .NET: a batch of counter
/// blocks goes through one AES-ECB call of the platform crypto library, then is XOR-ed in.
/// The ECB transform is created once and reused, so steady-state calls do not allocate.
/// </summary>
internal sealed class EcbCtr : IDisposable
{
    private const int BlockSize = 16;
    private const int BatchBlocks = 32;
    private const int BatchSize = BatchBlocks * BlockSize;

    private readonly ICryptoTransform _ecb;
    private readonly byte[] _counters = GC.AllocateArray<byte>(BatchSize, pinned: true);
    private readonly byte[] _keystream = GC.AllocateArray<byte>(BatchSize, pinned: true);

    public EcbCtr(ReadOnlySpan<byte> key)
    {
        var keyCopy = GC.AllocateArray<byte>(key.Length, pinned: true);
        try
        {
            key.CopyTo(keyCopy);
            using var aes = System.Security.Cryptography.Aes.Create();
            aes.Mode = CipherMode.ECB;
            aes.Padding = PaddingMode.None;
            _ecb = aes.CreateEncryptor(keyCopy, null);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(keyCopy);
        }
    }

    /// <summary>Encrypts one counter block into <paramref name="destination"/> and advances the counter.</summary>
    public void EncryptCounter(ref UInt128 counter, Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt128BigEndian(_counters, counter);
        _ecb.TransformBlock(_counters, 0, BlockSize, _keystream, 0);
        _keystream.AsSpan(0, BlockSize).CopyTo(destination);
        counter++;
    }

    /// <summary>output = input XOR keystream for whole blocks (input.Length is a multiple of 16).</summary>
    public void XorBlocks(ref UInt128 counter, ReadOnlySpan<byte> input, Span<byte> output)
    {
        while (!input.IsEmpty)
        {
            var size = Math.Min(input.Length, BatchSize);
            for (var offset = 0; offset < size; offset += BlockSize)
            {
                BinaryPrimitives.WriteUInt128BigEndian(_counters.AsSpan(offset), counter);
                counter++;
            }

            _ecb.TransformBlock(_counters, 0, size, _keystream, 0);
            ByteXor.Apply(input[..size], _keystream.AsSpan(0, size), output);
            input = input[size..];
            output = output[size..];
        }
    }

    public void Dispose()
    {
        _ecb.Dispose();
        CryptographicOperations.ZeroMemory(_keystream);
        CryptographicOperations.ZeroMemory(_counters);
    }
}
