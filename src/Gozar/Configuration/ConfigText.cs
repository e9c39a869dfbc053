using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Tomlyn;
using Tomlyn.Model;

namespace Gozar.Configuration;

/// <summary>How keys and values are spelled inside error messages.</summary>
internal static partial class ConfigText
{
    private const int MaxShownValueLength = 80;
    private const string Hidden = "<hidden>";

    /// <summary>Appends <paramref name="key"/> to a dotted path, quoting it the way TOML would need.</summary>
    public static string Path(string parent, string key)
    {
        var spelled = IsBareKey(key) ? key : QuoteKey(key);
        return parent.Length == 0 ? spelled : parent + "." + spelled;
    }

    public static string Index(string path, int index) =>
        path + "[" + index.ToString(CultureInfo.InvariantCulture) + "]";

    /// <summary>A value quoted for a one-line message: control characters escaped, long values cut.</summary>
    public static string Show(string value)
    {
        var builder = new StringBuilder(Math.Min(value.Length, MaxShownValueLength) + 2);
        builder.Append('\'');
        foreach (var c in value)
        {
            if (builder.Length > MaxShownValueLength)
            {
                builder.Append("...");
                break;
            }

            if (char.IsControl(c))
            {
                builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.Append('\'').ToString();
    }

    /// <summary>The TOML name of a value's type, for "expected X, got Y" messages.</summary>
    public static string TypeName(object? value) => value switch
    {
        string => "a string",
        long => "an integer",
        double => "a float",
        bool => "a boolean",
        TomlDateTime => "a date/time",
        TomlArray => "an array",
        TomlTableArray => "an array of tables",
        TomlTable => "a table",
        _ => "an unsupported value",
    };

    /// <summary>
    /// Last line of defence against printing a key: long hex runs anywhere, and any backtick-quoted
    /// fragment of a TOML parser message that contains a hex run (the parser quotes the tokens it
    /// trips over, which may be pieces of a mistyped secret).
    /// </summary>
    public static string Redact(string message)
    {
        var parts = message.Split('`');
        for (var i = 1; i < parts.Length - 1; i += 2)
        {
            if (ShortHexRun().IsMatch(parts[i]))
            {
                parts[i] = Hidden;
            }
        }

        // Ten hex digits of a secret already narrow it down, so runs that short are hidden too. Digits alone are
        // usually a number the operator typed (a port, count, size, DC id) and are left readable, but a secret's hex
        // can be all digits for a stretch: such a run is hidden when no number is written that way.
        var joined = string.Join('`', parts);
        return LongHexRun().Replace(joined, run => LooksLikeANumber(joined, run) ? run.Value : Hidden);
    }

    /// <summary>Control characters escaped, so a message quoting a character the parser choked on stays one line.</summary>
    public static string OneLine(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (char.IsControl(c))
            {
                builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    /// <summary>
    /// Digits only, no leading zero, and not glued to a letter or colon before them (a key or token does not grow
    /// a number that long, and neither a port nor an IPv6 group is ten digits).
    /// </summary>
    private static bool LooksLikeANumber(string message, Match run) =>
        !run.ValueSpan.ContainsAnyExceptInRange('0', '9')
        && run.ValueSpan[0] != '0'
        && (run.Index == 0 || !(char.IsAsciiLetter(message[run.Index - 1]) || message[run.Index - 1] == ':'));

    private static bool IsBareKey(string key)
    {
        if (key.Length == 0)
        {
            return false;
        }

        foreach (var c in key)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_' && c != '-')
            {
                return false;
            }
        }

        return true;
    }

    private static string QuoteKey(string key)
    {
        var builder = new StringBuilder(key.Length + 2).Append('"');
        foreach (var c in key)
        {
            if (c is '"' or '\\')
            {
                builder.Append('\\').Append(c);
            }
            else if (char.IsControl(c))
            {
                builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.Append('"').ToString();
    }

    [GeneratedRegex("[0-9A-Fa-f]{4}")]
    private static partial Regex ShortHexRun();

    [GeneratedRegex("[0-9A-Fa-f]{10,}")]
    private static partial Regex LongHexRun();
}
