using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Gozar.Protocol.Crypto;

/// <summary>
/// AES-256-CTR from the system's libcrypto (<c>EVP_aes_256_ctr</c>: the same 128-bit big-endian counter as spec §2.3).
/// OpenSSL's CTR loop keeps more blocks in flight than the managed AES-NI path, so <see cref="AesCtr"/> hands bulk
/// chunks to it unless libgcrypt with VAES is there (<see cref="NativeCtr"/>); without libcrypto 3 (another OS, a
/// stripped container) it is simply not available.
/// </summary>
/// <remarks>
/// The entry points are looked up once with <see cref="NativeLibrary"/> rather than declared as imports, so a missing
/// library is a false <see cref="IsAvailable"/> instead of an exception in the middle of a relay.
/// </remarks>
public sealed unsafe class LibCryptoCtr : NativeCtr
{
    /// <summary>The libcrypto both native paths load (OpenSSL 3's soname; <see cref="LibCryptoSha256"/> too).</summary>
    internal const string LibraryName = "libcrypto.so.3";

    private const int KeySize = 32;
    private const int IvSize = 16;

    private static readonly delegate* unmanaged<nint> NewContext;
    private static readonly delegate* unmanaged<nint, void> FreeContext;
    private static readonly delegate* unmanaged<nint> Aes256Ctr;
    private static readonly delegate* unmanaged<nint, nint, nint, byte*, byte*, int> EncryptInit;
    private static readonly delegate* unmanaged<nint, byte*, int*, byte*, int, int> EncryptUpdate;
    private static readonly delegate* unmanaged<nint, int> ResetContext;

    // A SafeHandle, not a bare pointer: a transform racing with Dispose (a session torn down from outside while a pump
    // still runs) holds a reference, so the context is freed after it returns, never under it.
    private readonly ContextHandle _context;

#pragma warning disable CA1810 // The exports are looked up together, and only when the library loads.
    static LibCryptoCtr()
#pragma warning restore CA1810
    {
        if (!OperatingSystem.IsLinux() || !NativeLibrary.TryLoad(LibraryName, out var library))
        {
            return;
        }

        if (NativeLibrary.TryGetExport(library, "EVP_CIPHER_CTX_new", out var newContext)
            && NativeLibrary.TryGetExport(library, "EVP_CIPHER_CTX_free", out var freeContext)
            && NativeLibrary.TryGetExport(library, "EVP_aes_256_ctr", out var aes256Ctr)
            && NativeLibrary.TryGetExport(library, "EVP_EncryptInit_ex", out var encryptInit)
            && NativeLibrary.TryGetExport(library, "EVP_EncryptUpdate", out var encryptUpdate)
            && NativeLibrary.TryGetExport(library, "EVP_CIPHER_CTX_reset", out var resetContext))
        {
            NewContext = (delegate* unmanaged<nint>)newContext;
            FreeContext = (delegate* unmanaged<nint, void>)freeContext;
            Aes256Ctr = (delegate* unmanaged<nint>)aes256Ctr;
            EncryptInit = (delegate* unmanaged<nint, nint, nint, byte*, byte*, int>)encryptInit;
            EncryptUpdate = (delegate* unmanaged<nint, byte*, int*, byte*, int, int>)encryptUpdate;
            ResetContext = (delegate* unmanaged<nint, int>)resetContext;
            IsAvailable = true;
        }
    }

    private LibCryptoCtr(ContextHandle context) => _context = context;

    public static new bool IsAvailable { get; }

    /// <summary>What <see cref="NativeCtr.Library"/> reports for this library.</summary>
    public const string Description = LibraryName + " (OpenSSL)";

    /// <summary>A cipher at block <paramref name="counter"/> of <paramref name="key"/>, or null if libcrypto refuses.</summary>
    public static new LibCryptoCtr? Create(ReadOnlySpan<byte> key, UInt128 counter)
    {
        if (!IsAvailable || key.Length != KeySize)
        {
            return null;
        }

        var context = NewContext();
        if (context == 0)
        {
            return null;
        }

        Span<byte> iv = stackalloc byte[IvSize];
        BinaryPrimitives.WriteUInt128BigEndian(iv, counter);
        fixed (byte* k = key)
        fixed (byte* v = iv)
        {
            if (EncryptInit(context, Aes256Ctr(), 0, k, v) != 1)
            {
                FreeContext(context);
                return null;
            }
        }

        return new LibCryptoCtr(new ContextHandle(context));
    }

    /// <summary>A cipher for (<paramref name="key"/>, <paramref name="iv"/>), or null without libcrypto.</summary>
    public static LibCryptoCtr? Create(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv) =>
        iv.Length == IvSize ? Create(key, BinaryPrimitives.ReadUInt128BigEndian(iv)) : null;

    /// <inheritdoc/>
    public override void Transform(ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (input.IsEmpty)
        {
            return;
        }

        int written;
        using var lease = new HandleLease(_context);
        fixed (byte* source = input)
        fixed (byte* destination = output)
        {
            // CTR never fails once initialised; a failure here would mean memory corruption, not bad input.
            if (EncryptUpdate(_context.DangerousGetHandle(), destination, &written, source, input.Length) != 1 || written != input.Length)
            {
                throw new InvalidOperationException("EVP_EncryptUpdate failed for AES-256-CTR.");
            }
        }
    }

    /// <summary>
    /// EVP_CIPHER_CTX_reset cleanses and frees the key schedule and the stream's state, keeping the bare context for
    /// <see cref="Resume"/>.
    /// </summary>
    public override void Park()
    {
        using var lease = new HandleLease(_context);
        ResetContext(_context.DangerousGetHandle());
    }

    /// <inheritdoc/>
    public override bool Resume(ReadOnlySpan<byte> key, UInt128 counter)
    {
        if (key.Length != KeySize)
        {
            return false;
        }

        Span<byte> iv = stackalloc byte[IvSize];
        BinaryPrimitives.WriteUInt128BigEndian(iv, counter);
        using var lease = new HandleLease(_context);
        fixed (byte* k = key)
        fixed (byte* v = iv)
        {
            return EncryptInit(_context.DangerousGetHandle(), Aes256Ctr(), 0, k, v) == 1;
        }
    }

    /// <summary>EVP_CIPHER_CTX_free cleanses the key schedule and keystream before freeing them.</summary>
    protected override void Dispose(bool disposing) => _context.Dispose();

    /// <summary>Frees the context once no transform holds it; a dropped cipher's context goes with its finalizer.</summary>
    private sealed class ContextHandle : SafeHandle
    {
        public ContextHandle(nint context)
            : base(0, ownsHandle: true) => SetHandle(context);

        public override bool IsInvalid => handle == 0;

        protected override bool ReleaseHandle()
        {
            FreeContext(handle);
            return true;
        }
    }
}
