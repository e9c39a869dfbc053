using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Gozar.Protocol.Crypto;

/// <summary>
/// AES-256-CTR from the system's libgcrypt (the GnuPG project's library, <c>libgcrypt.so.20</c>). From 1.9 its CTR
/// code runs on VAES with 256-bit registers where the CPU has them: 13.2 GB/s per core at 16 KiB on the Zen 4 machine
/// the benchmarks ran on, against 6.8 for OpenSSL 3.0, whose CTR loop stays at 128-bit AES-NI. Without VAES it is no
/// faster than libcrypto, so it counts as available only with it. Its counter is the whole 16-byte block, big-endian,
/// carried across all 128 bits, as spec §2.3 and OpenSSL have it.
/// </summary>
/// <remarks>
/// Parking closes the handle (libgcrypt wipes it before freeing) and resuming opens a new one: 170 ns together, less
/// than OpenSSL's reset and init, and an idle stream then holds no native memory at all.
/// </remarks>
public sealed unsafe class LibGcryptCtr : NativeCtr
{
    private const int KeySize = 32;
    private const int IvSize = 16;

    // gcrypt.h: GCRY_CIPHER_AES256 and GCRY_CIPHER_MODE_CTR.
    private const int Aes256 = 9;
    private const int CtrMode = 6;

    // The first release whose CTR mode has a VAES path, and the name its hardware feature list gives that path.
    private const string VaesFeature = "intel-vaes-vpclmul";
    private static ReadOnlySpan<byte> MinimumVersion => "1.9.0\0"u8;

    private static readonly delegate* unmanaged<nint*, int, int, uint, uint> OpenCipher;
    private static readonly delegate* unmanaged<nint, void> CloseCipher;
    private static readonly delegate* unmanaged<nint, byte*, nuint, uint> SetKey;
    private static readonly delegate* unmanaged<nint, byte*, nuint, uint> SetCounter;
    private static readonly delegate* unmanaged<nint, byte*, nuint, byte*, nuint, uint> Encrypt;

    // Null while parked. A SafeHandle, as in LibCryptoCtr: a transform racing with Dispose holds a reference, so the
    // handle is closed after it returns, never under it.
    private CipherHandle? _handle;
    private volatile bool _disposed;

#pragma warning disable CA1810 // The exports are looked up together, and only when the library loads.
    static LibGcryptCtr()
#pragma warning restore CA1810
    {
        if (!OperatingSystem.IsLinux() || !NativeLibrary.TryLoad("libgcrypt.so.20", out var library))
        {
            return;
        }

        if (NativeLibrary.TryGetExport(library, "gcry_check_version", out var checkVersion)
            && NativeLibrary.TryGetExport(library, "gcry_get_config", out var getConfig)
            && NativeLibrary.TryGetExport(library, "gcry_free", out var free)
            && NativeLibrary.TryGetExport(library, "gcry_cipher_open", out var open)
            && NativeLibrary.TryGetExport(library, "gcry_cipher_close", out var close)
            && NativeLibrary.TryGetExport(library, "gcry_cipher_setkey", out var setKey)
            && NativeLibrary.TryGetExport(library, "gcry_cipher_setctr", out var setCounter)
            && NativeLibrary.TryGetExport(library, "gcry_cipher_encrypt", out var encrypt))
        {
            // gcry_check_version initialises the library and must come before anything else it offers.
            var version = Initialise((delegate* unmanaged<byte*, byte*>)checkVersion);
            if (version is null || !HasVaes((delegate* unmanaged<int, byte*, byte*>)getConfig, (delegate* unmanaged<byte*, void>)free))
            {
                return;
            }

            OpenCipher = (delegate* unmanaged<nint*, int, int, uint, uint>)open;
            CloseCipher = (delegate* unmanaged<nint, void>)close;
            SetKey = (delegate* unmanaged<nint, byte*, nuint, uint>)setKey;
            SetCounter = (delegate* unmanaged<nint, byte*, nuint, uint>)setCounter;
            Encrypt = (delegate* unmanaged<nint, byte*, nuint, byte*, nuint, uint>)encrypt;
            Description = $"libgcrypt {Marshal.PtrToStringUTF8((nint)version)} (VAES)";
            IsAvailable = true;
        }
    }

    private LibGcryptCtr(CipherHandle handle) => _handle = handle;

    /// <summary>True when libgcrypt 1.9 or later loaded and runs CTR on VAES.</summary>
    public static new bool IsAvailable { get; }

    /// <summary>The library's name, version and the feature it was picked for; null when not available.</summary>
    public static string? Description { get; }

    /// <summary>A cipher at block <paramref name="counter"/> of <paramref name="key"/>, or null if libgcrypt is not available or refuses.</summary>
    public static new LibGcryptCtr? Create(ReadOnlySpan<byte> key, UInt128 counter)
    {
        var handle = IsAvailable ? OpenHandle(key, counter) : null;
        return handle is null ? null : new LibGcryptCtr(handle);
    }

    /// <inheritdoc/>
    public override void Transform(ReadOnlySpan<byte> input, Span<byte> output)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (input.IsEmpty)
        {
            return;
        }

        var handle = _handle ?? throw new InvalidOperationException("A parked cipher must be resumed before it transforms.");
        var referenced = false;
        try
        {
            handle.DangerousAddRef(ref referenced);
            fixed (byte* source = input)
            fixed (byte* destination = output)
            {
                // In place, libgcrypt wants no input pointer; otherwise the two do not overlap (AesCtr checks).
                var inPlace = source == destination;
                var length = (nuint)input.Length;
                var error = Encrypt(handle.DangerousGetHandle(), destination, length, inPlace ? null : source, inPlace ? 0 : length);

                // CTR never fails once keyed; a failure here would mean memory corruption, not bad input.
                if (error != 0)
                {
                    throw new InvalidOperationException($"gcry_cipher_encrypt failed for AES-256-CTR (error {error}).");
                }
            }
        }
        finally
        {
            if (referenced)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>Closes the handle: libgcrypt wipes the key schedule and the keystream before freeing them.</summary>
    public override void Park()
    {
        var handle = _handle;
        _handle = null;
        handle?.Dispose();
    }

    /// <inheritdoc/>
    public override bool Resume(ReadOnlySpan<byte> key, UInt128 counter)
    {
        if (_disposed)
        {
            return false;
        }

        Park();
        var handle = OpenHandle(key, counter);
        _handle = handle;
        if (_disposed)
        {
            // Disposed while this opened: close what Dispose could not see.
            Park();
            return false;
        }

        return handle is not null;
    }

    protected override void Dispose(bool disposing)
    {
        _disposed = true;
        Park();
    }

    private static byte* Initialise(delegate* unmanaged<byte*, byte*> checkVersion)
    {
        fixed (byte* required = MinimumVersion)
        {
            return checkVersion(required);
        }
    }

    private static bool HasVaes(delegate* unmanaged<int, byte*, byte*> getConfig, delegate* unmanaged<byte*, void> free)
    {
        byte* config;
        fixed (byte* what = "hwflist\0"u8)
        {
            config = getConfig(0, what);
        }

        if (config is null)
        {
            return false;
        }

        try
        {
            // "hwflist:intel-aesni:...:intel-vaes-vpclmul:" and a newline; hwf.deny in /etc/gcrypt can take features away.
            var features = Marshal.PtrToStringUTF8((nint)config) ?? "";
            return features.Contains($":{VaesFeature}:", StringComparison.Ordinal);
        }
        finally
        {
            free(config);
        }
    }

    private static CipherHandle? OpenHandle(ReadOnlySpan<byte> key, UInt128 counter)
    {
        if (key.Length != KeySize)
        {
            return null;
        }

        nint raw;
        if (OpenCipher(&raw, Aes256, CtrMode, 0) != 0 || raw == 0)
        {
            return null;
        }

        var handle = new CipherHandle(raw);
        Span<byte> iv = stackalloc byte[IvSize];
        BinaryPrimitives.WriteUInt128BigEndian(iv, counter);
        fixed (byte* k = key)
        fixed (byte* v = iv)
        {
            if (SetKey(raw, k, KeySize) != 0 || SetCounter(raw, v, IvSize) != 0)
            {
                handle.Dispose();
                return null;
            }
        }

        return handle;
    }

    /// <summary>Closes the handle once no transform holds it; a dropped cipher's handle goes with its finalizer.</summary>
    private sealed class CipherHandle : SafeHandle
    {
        public CipherHandle(nint handle)
            : base(0, ownsHandle: true) => SetHandle(handle);

        public override bool IsInvalid => handle == 0;

        protected override bool ReleaseHandle()
        {
            CloseCipher(handle);
            return true;
        }
    }
}
