using System.Runtime.InteropServices;

namespace Gozar.Load.Wire;

/// <summary>
/// AES-256-CTR from the system's libcrypto (EVP_aes_256_ctr: a 128-bit big-endian counter, as obfuscated2 uses,
/// spec §2.3). The load side uses it so that its own crypto (VAES where the CPU has it) stays cheaper than the
/// proxy's and the proxy, not the load generator, is what a run measures.
/// </summary>
public sealed partial class LibCryptoCtr : IDisposable
{
    private const string Library = "libcrypto.so.3";
    private const int KeySize = 32;
    private const int IvSize = 16;
    private nint _context;

    public unsafe LibCryptoCtr(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv)
    {
        if (key.Length != KeySize || iv.Length != IvSize)
        {
            throw new ArgumentException("AES-256-CTR needs a 32-byte key and a 16-byte IV.");
        }

        _context = NewContext();
        if (_context == 0)
        {
            throw new InvalidOperationException("EVP_CIPHER_CTX_new failed.");
        }

        fixed (byte* k = key)
        fixed (byte* v = iv)
        {
            if (EncryptInit(_context, Aes256Ctr(), 0, k, v) != 1)
            {
                throw new InvalidOperationException("EVP_EncryptInit_ex failed.");
            }
        }
    }

    /// <summary>Transforms <paramref name="data"/> in place.</summary>
    public void Transform(Span<byte> data) => Transform(data, data);

    /// <summary>output = input XOR keystream; output is the input itself or does not overlap it.</summary>
    public unsafe void Transform(ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (input.IsEmpty)
        {
            return;
        }

        fixed (byte* source = input)
        fixed (byte* destination = output)
        {
            if (EncryptUpdate(_context, destination, out var written, source, input.Length) != 1 || written != input.Length)
            {
                throw new InvalidOperationException("EVP_EncryptUpdate failed.");
            }
        }
    }

    public void Dispose()
    {
        if (_context != 0)
        {
            FreeContext(_context);
            _context = 0;
        }
    }

    [LibraryImport(Library, EntryPoint = "EVP_CIPHER_CTX_new")]
    private static partial nint NewContext();

    [LibraryImport(Library, EntryPoint = "EVP_CIPHER_CTX_free")]
    private static partial void FreeContext(nint context);

    [LibraryImport(Library, EntryPoint = "EVP_aes_256_ctr")]
    private static partial nint Aes256Ctr();

    [LibraryImport(Library, EntryPoint = "EVP_EncryptInit_ex")]
    private static unsafe partial int EncryptInit(nint context, nint cipher, nint engine, byte* key, byte* iv);

    [LibraryImport(Library, EntryPoint = "EVP_EncryptUpdate")]
    private static unsafe partial int EncryptUpdate(nint context, byte* output, out int outputLength, byte* input, int inputLength);
}
