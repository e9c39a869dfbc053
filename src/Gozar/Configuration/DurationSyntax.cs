using System.Globalization;

namespace Gozar.Configuration;

/// <summary>Durations as written in the config: "500ms", "10s", "5m", "1h", "7d" (one unit, whole numbers).</summary>
internal static class DurationSyntax
{
    public const string Expected = "a duration like \"500ms\", \"10s\", \"5m\", \"1h\", \"1d\" or an integer number of seconds";

    private const int MaxDigits = 15;

    public static bool TryParse(string text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        var digits = 0;
        while (digits < text.Length && char.IsAsciiDigit(text[digits]))
        {
            digits++;
        }

        if (digits == 0)
        {
            return false;
        }

        var unit = text[digits..] switch
        {
            "ms" => TimeSpan.FromMilliseconds(1),
            "s" => TimeSpan.FromSeconds(1),
            "m" => TimeSpan.FromMinutes(1),
            "h" => TimeSpan.FromHours(1),
            "d" => TimeSpan.FromDays(1),
            _ => TimeSpan.Zero,
        };
        if (unit == TimeSpan.Zero)
        {
            return false;
        }

        // More digits than any duration needs saturate, like a bare integer's seconds, so that the range check says
        // what the largest value is instead of the value being called no duration at all.
        var number = text.AsSpan(0, digits).TrimStart('0');
        value = number.Length > MaxDigits ? TimeSpan.MaxValue : Multiply(number.IsEmpty ? 0 : long.Parse(number, CultureInfo.InvariantCulture), unit);
        return true;
    }

    /// <summary>Seconds given as a bare TOML integer; huge values saturate so range checks catch them.</summary>
    public static TimeSpan FromSeconds(long seconds) =>
        seconds < 0 ? TimeSpan.MinValue : Multiply(seconds, TimeSpan.FromSeconds(1));

    /// <summary>The shortest exact spelling, as an operator would write it ("90s", "5m", "7d").</summary>
    public static string Format(TimeSpan value)
    {
        if (value == TimeSpan.Zero)
        {
            return "0s";
        }

        (TimeSpan Unit, string Suffix)[] units =
        [
            (TimeSpan.FromDays(1), "d"),
            (TimeSpan.FromHours(1), "h"),
            (TimeSpan.FromMinutes(1), "m"),
            (TimeSpan.FromSeconds(1), "s"),
        ];
        foreach (var (unit, suffix) in units)
        {
            if (value.Ticks % unit.Ticks == 0)
            {
                return (value.Ticks / unit.Ticks).ToString(CultureInfo.InvariantCulture) + suffix;
            }
        }

        return ((long)value.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms";
    }

    private static TimeSpan Multiply(long count, TimeSpan unit) =>
        count > TimeSpan.MaxValue.Ticks / unit.Ticks ? TimeSpan.MaxValue : TimeSpan.FromTicks(count * unit.Ticks);
}
