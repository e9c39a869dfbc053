using System.Security.Cryptography;

namespace Gozar.Protocol.MiddleProxy;

/// <summary>
/// One direction of an ME connection: AES-256-CBC as one continuous stream (spec §7.3 step 4), each write chained to
/// the last ciphertext block of the previous one. Works in place on whole blocks; keeps its state between calls.
/// </summary>
public sealed class CbcStream : IDisposable
{
    public const int BlockSize = 16;

    private readonly Aes _aes;
    private readonly ICryptoTransform _transform;

    private CbcStream(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, bool encrypt)
    {
        _aes = Aes.Create();
        _aes.Mode = CipherMode.CBC;
        _aes.Padding = PaddingMode.None;
        var keyBytes = key.ToArray();
        var ivBytes = iv.ToArray();
        _transform = encrypt ? _aes.CreateEncryptor(keyBytes, ivBytes) : _aes.CreateDecryptor(keyBytes, ivBytes);
        CryptographicOperations.ZeroMemory(keyBytes);
    }

    public static CbcStream CreateEncryptor(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv) => new(key, iv, encrypt: true);

    public static CbcStream CreateDecryptor(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv) => new(key, iv, encrypt: false);

    /// <summary>Encrypts or decrypts <paramref name="count"/> bytes (a multiple of 16) in place.</summary>
    public void Transform(byte[] buffer, int offset, int count)
    {
        if (count % BlockSize != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(count), "CBC works on whole 16-byte blocks.");
        }

        if (count > 0)
        {
            _transform.TransformBlock(buffer, offset, count, buffer, offset);
        }
    }

    public void Dispose()
    {
        _transform.Dispose();
        _aes.Dispose();
    }
}
