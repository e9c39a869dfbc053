namespace Gozar.Load.Wire;

/// <summary>
/// The bytes every sender writes and every receiver checks: one pseudo-random sequence with a prime period, so a
/// byte that is lost, repeated or moved anywhere in a stream breaks the comparison. A stream starts at its own offset
/// (from its command header), which also catches bytes of one connection showing up on another.
/// </summary>
public static class Pattern
{
    /// <summary>Prime, so neither 16 KiB records nor 64 KiB reads ever line up with a repetition.</summary>
    public const int Period = 65521;

    /// <summary>Longest span <see cref="Slice"/> returns.</summary>
    public const int MaxSpan = 64 * 1024;

    private static readonly byte[] Bytes = Create();

    /// <summary>The expected bytes at stream position <paramref name="position"/>; length at most <see cref="MaxSpan"/>.</summary>
    public static ReadOnlySpan<byte> Slice(long position, int length) =>
        Bytes.AsSpan((int)(position % Period), length);

    /// <summary>True when <paramref name="data"/> is what the stream holds from <paramref name="position"/> on.</summary>
    public static bool Matches(long position, ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            var take = Math.Min(data.Length, MaxSpan);
            if (!data[..take].SequenceEqual(Slice(position, take)))
            {
                return false;
            }

            data = data[take..];
            position += take;
        }

        return true;
    }

    private static byte[] Create()
    {
        var bytes = new byte[Period + MaxSpan];
        var state = 0x9E3779B97F4A7C15UL;
        for (var i = 0; i < Period; i++)
        {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            bytes[i] = (byte)(state >> 56);
        }

        // MaxSpan is longer than Period: the tail repeats the sequence more than once, so it is filled forwards.
        for (var i = Period; i < bytes.Length; i++)
        {
            bytes[i] = bytes[i - Period];
        }

        return bytes;
    }
}
