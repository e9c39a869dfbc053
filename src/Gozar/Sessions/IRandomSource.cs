using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Gozar.Sessions;

/// <summary>Randomness for handshakes, injected so tests can pin it.</summary>
public interface IRandomSource
{
    void Fill(Span<byte> destination);

    /// <summary>A value in [minInclusive, maxExclusive).</summary>
    int Next(int minInclusive, int maxExclusive);
}

/// <summary>
/// The system's CSPRNG, drawn in blocks. Each call into it costs about 4 µs and a system call (a lock and a fork check
/// inside OpenSSL) whatever the size, and a fake-TLS handshake asks several times (a profile pick, key share
/// candidates, the flight's record bodies of a few KB, the DC init), a dd middle-proxy packet for its padding length.
/// Requests of up to <see cref="SmallRequest"/> bytes are served from a per-thread block of fresh bytes (a dozen or so
/// handshakes' worth), each byte handed out once and wiped from the block as it goes; larger ones go straight to the
/// system.
/// </summary>
public sealed class SecureRandomSource : IRandomSource
{
    public static readonly SecureRandomSource Instance = new();

    internal const int SmallRequest = 4096;
    internal const int BlockSize = 32 * 1024;

    [ThreadStatic]
    private static byte[]? _threadBlock;

    [ThreadStatic]
    private static int _threadUsed;

    /// <summary>This thread's block (consumed bytes are zero), for tests.</summary>
    internal static ReadOnlySpan<byte> CurrentThreadBlock => _threadBlock;

    public void Fill(Span<byte> destination)
    {
        // Callers pass empty spans on hot paths (a padding of length 0): no block for a thread that never needs one.
        if (destination.IsEmpty)
        {
            return;
        }

        if (destination.Length > SmallRequest)
        {
            RandomNumberGenerator.Fill(destination);
            return;
        }

        var block = _threadBlock;
        if (block is null)
        {
            block = _threadBlock = new byte[BlockSize];
            _threadUsed = BlockSize;
        }

        if (BlockSize - _threadUsed < destination.Length)
        {
            RandomNumberGenerator.Fill(block);
            _threadUsed = 0;
        }

        var taken = block.AsSpan(_threadUsed, destination.Length);
        taken.CopyTo(destination);
        CryptographicOperations.ZeroMemory(taken);
        _threadUsed += destination.Length;
    }

    public int Next(int minInclusive, int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(minInclusive, maxExclusive);
        var range = (uint)((long)maxExclusive - minInclusive);

        // Only draws below the largest multiple of the range are used, so every value is equally likely.
        var usable = uint.MaxValue - (((uint.MaxValue % range) + 1) % range);
        Span<byte> draw = stackalloc byte[sizeof(uint)];
        while (true)
        {
            Fill(draw);
            var value = BinaryPrimitives.ReadUInt32LittleEndian(draw);
            if (value <= usable)
            {
                return (int)(minInclusive + (value % range));
            }
        }
    }
}
