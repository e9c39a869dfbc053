using System.Runtime.InteropServices;

namespace Gozar.Protocol.Crypto;

/// <summary>
/// AES-256-CTR in a system library (spec §2.3's counter: 128 bits, big-endian), which <see cref="AesCtr"/> hands bulk
/// chunks to. The library is picked once: libgcrypt when its CTR code uses VAES (twice OpenSSL 3.0's CTR on a CPU that
/// has it), otherwise libcrypto (OpenSSL's 128-bit AES-NI loop, still ahead of the managed one at 16 KiB), otherwise none.
/// </summary>
public abstract class NativeCtr : IDisposable
{
    /// <summary>The library bulk chunks go to, for logs and benchmarks; null when neither is usable here.</summary>
    public static string? Library { get; } =
        LibGcryptCtr.IsAvailable ? LibGcryptCtr.Description : LibCryptoCtr.IsAvailable ? LibCryptoCtr.Description : null;

    public static bool IsAvailable => Library is not null;

    /// <summary>A cipher at block <paramref name="counter"/> of <paramref name="key"/> in the picked library, or null.</summary>
    public static NativeCtr? Create(ReadOnlySpan<byte> key, UInt128 counter) =>
        LibGcryptCtr.IsAvailable ? LibGcryptCtr.Create(key, counter) : LibCryptoCtr.Create(key, counter);

    /// <summary>Transforms <paramref name="data"/> in place.</summary>
    public void Transform(Span<byte> data) => Transform(data, data);

    /// <summary>output = input XOR keystream; output is the input itself or does not overlap it.</summary>
    public abstract void Transform(ReadOnlySpan<byte> input, Span<byte> output);

    /// <summary>
    /// Lets go of the key schedule and the stream's state: what an idle stream need not hold. Only
    /// <see cref="Resume"/> or <see cref="Dispose()"/> may follow.
    /// </summary>
    public abstract void Park();

    /// <summary>After <see cref="Park"/>: continues at block <paramref name="counter"/> of <paramref name="key"/>. False if the library refuses.</summary>
    public abstract bool Resume(ReadOnlySpan<byte> key, UInt128 counter);

    /// <summary>Wipes and frees the library's state; later transforms throw.</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected abstract void Dispose(bool disposing);

    /// <summary>
    /// A reference on the library state's <see cref="SafeHandle"/> for the length of one call (<c>using var</c>):
    /// a Dispose from another thread (a session torn down while its pump runs) frees the state after the call, never
    /// under it, and a call that starts after Dispose throws <see cref="ObjectDisposedException"/>.
    /// </summary>
    protected ref struct HandleLease
    {
        private readonly SafeHandle _handle;
        private bool _held;

        public HandleLease(SafeHandle handle)
        {
            _handle = handle;
            handle.DangerousAddRef(ref _held);
        }

        public void Dispose()
        {
            if (_held)
            {
                _held = false;
                _handle.DangerousRelease();
            }
        }
    }
}
