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
    private const int MaxDigits = 12;

    public static bool TryParse(string text, out long bytes)
    {
        bytes = 0;
        var digits = 0;
        while (digits < text.Length && char.IsAsciiDigit(text[digits]))
        {
            digits++;
        }

        if (digits is 0 or > MaxDigits)
        {
            return false;
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
            return false;
        }

        var number = long.Parse(text.AsSpan(0, digits), CultureInfo.InvariantCulture);
        if (number > long.MaxValue / unit)
        {
            return false;
        }

        bytes = number * unit;
        return true;
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
