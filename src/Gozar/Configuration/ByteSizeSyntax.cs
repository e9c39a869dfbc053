using System.Globalization;

namespace Gozar.Configuration;

/// <summary>Sizes as written in the config: integer bytes, or "16KiB" / "1MiB" / "50GiB" / "2TiB" (binary units only, no "KB").</summary>
internal static class ByteSizeSyntax
{
    public const string Expected = "a size like 65536 (bytes), \"64KiB\", \"1MiB\" or \"50GiB\"";

    private const long KiB = 1024;
    private const long MiB = 1024 * KiB;
    private const long GiB = 1024 * MiB;
    private const long TiB = 1024 * GiB;

    private enum Reading
    {
        NotASize,
        Size,
        TooLarge,
    }

    public static bool TryParse(string text, out long bytes) => Read(text, out bytes) == Reading.Size;

    /// <summary>Written as a size, but more bytes than a 64-bit count holds: the operator is told so, not that it is no size.</summary>
    public static bool IsTooLarge(string text) => Read(text, out _) == Reading.TooLarge;

    private static Reading Read(string text, out long bytes)
    {
        bytes = 0;
        var digits = 0;
        while (digits < text.Length && char.IsAsciiDigit(text[digits]))
        {
            digits++;
        }

        if (digits == 0)
        {
            return Reading.NotASize;
        }

        var suffix = text[digits..];
        long unit;
        if (suffix.Length == 0)
        {
            unit = 1;
        }
        else if (suffix.Equals("KiB", StringComparison.OrdinalIgnoreCase))
        {
            unit = KiB;
        }
        else if (suffix.Equals("MiB", StringComparison.OrdinalIgnoreCase))
        {
            unit = MiB;
        }
        else if (suffix.Equals("GiB", StringComparison.OrdinalIgnoreCase))
        {
            unit = GiB;
        }
        else if (suffix.Equals("TiB", StringComparison.OrdinalIgnoreCase))
        {
            unit = TiB;
        }
        else
        {
            return Reading.NotASize;
        }

        if (!long.TryParse(text.AsSpan(0, digits), NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            || number > long.MaxValue / unit)
        {
            return Reading.TooLarge;
        }

        bytes = number * unit;
        return Reading.Size;
    }

    public static string Format(long bytes) => bytes switch
    {
        > 0 when bytes % TiB == 0 => (bytes / TiB).ToString(CultureInfo.InvariantCulture) + "TiB",
        > 0 when bytes % GiB == 0 => (bytes / GiB).ToString(CultureInfo.InvariantCulture) + "GiB",
        > 0 when bytes % MiB == 0 => (bytes / MiB).ToString(CultureInfo.InvariantCulture) + "MiB",
        > 0 when bytes % KiB == 0 => (bytes / KiB).ToString(CultureInfo.InvariantCulture) + "KiB",
        _ => bytes.ToString(CultureInfo.InvariantCulture),
    };
}
