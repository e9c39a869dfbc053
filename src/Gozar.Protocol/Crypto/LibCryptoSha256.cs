using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Gozar.Protocol.Crypto;

/// <summary>
/// SHA-256 block compression by the system's libcrypto (<c>SHA256_Update</c> over whole blocks), which uses the CPU's
/// SHA extensions: 36 ns a block against 330 for the managed rounds of <see cref="Sha256"/> here (BenchmarkDotNet,
/// 4 KiB). Called directly, it costs one plain function call; through .NET's hashing each call into libcrypto also
/// clears OpenSSL's error queue and copies a provider context, which in a handshake, with libcrypto out of the cache,
/// cost more than the hashing of a ClientHello.
/// </summary>
/// <remarks>
/// <c>SHA256_CTX</c> is a public struct of OpenSSL's headers (<c>sha.h</c>, unchanged through 3.x): the eight state
/// words first, then the bit count, the pending block, its fill and the digest length.
/// </remarks>
internal static unsafe class LibCryptoSha256
{
    private static readonly delegate* unmanaged<Context*, byte*, nuint, int> Update;

#pragma warning disable CA1810 // The export is looked up only when the library loads.
    static LibCryptoSha256()
#pragma warning restore CA1810
    {
        if (OperatingSystem.IsLinux()
            && NativeLibrary.TryLoad(LibCryptoCtr.LibraryName, out var library)
            && NativeLibrary.TryGetExport(library, "SHA256_Update", out var update))
        {
            Update = (delegate* unmanaged<Context*, byte*, nuint, int>)update;
            IsAvailable = true;
        }
    }

    public static bool IsAvailable { get; }

    /// <summary>Compresses <paramref name="blocks"/> (whole 64-byte blocks) into <paramref name="state"/>.</summary>
    public static void Compress(ref Sha256.State state, ReadOnlySpan<byte> blocks)
    {
        var context = default(Context);
        context.State = state;
        context.DigestLength = Sha256.HashSize;
        fixed (byte* data = blocks)
        {
            // With nothing pending and whole blocks, SHA256_Update runs its block function straight over the input.
            Update(&context, data, (nuint)blocks.Length);
        }

        state = context.State;
        CryptographicOperations.ZeroMemory(new Span<byte>(&context, sizeof(Context)));
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Context
    {
        public Sha256.State State;
        public uint BitCountLow;
        public uint BitCountHigh;
        public PendingBlock Pending;
        public uint PendingCount;
        public uint DigestLength;
    }

    [System.Runtime.CompilerServices.InlineArray(16)]
    private struct PendingBlock
    {
        private uint _element;
    }
}
