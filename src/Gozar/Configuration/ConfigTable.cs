using Tomlyn.Model;

namespace Gozar.Configuration;

/// <summary>
/// One TOML table seen through its dotted path. Typed getters report wrong types and bad values
/// to the shared <see cref="ConfigProblems"/> and hand back a fallback, so binders read straight
/// through and check for problems once at the end.
/// </summary>
internal sealed class ConfigTable
{
    private const int MaxSuggestionDistance = 2;

    private readonly TomlTable _table;
    private readonly ConfigProblems _problems;

    private ConfigTable(TomlTable table, string path, ConfigProblems problems)
    {
        _table = table;
        Path = path;
        _problems = problems;
    }

    public string Path { get; }

    public IEnumerable<KeyValuePair<string, object>> Entries => _table;

    public int Count => _table.Count;

    public static ConfigTable Root(TomlTable table, ConfigProblems problems) => new(table, string.Empty, problems);

    public string PathOf(string key) => ConfigText.Path(Path, key);

    public bool Contains(string key) => _table.ContainsKey(key);

    public object? Raw(string key) => _table.TryGetValue(key, out var value) ? value : null;

    public void Fail(string key, string problem) => _problems.Add(PathOf(key), problem);

    /// <summary>A problem at a full path: an array element, or the table itself.</summary>
    public void FailAt(string path, string problem) => _problems.Add(path, problem);

    /// <summary>Reports the first key not in <paramref name="known"/>, naming the closest known key.</summary>
    public void RejectUnknownKeys(ReadOnlySpan<string> known)
    {
        foreach (var entry in _table)
        {
            if (known.Contains(entry.Key))
            {
                continue;
            }

            var message = $"unknown key '{PathOf(entry.Key)}'";
            if (Closest(entry.Key, known) is { } suggestion)
            {
                message += $" (did you mean '{PathOf(suggestion)}'?)";
            }

            _problems.AddMessage(message);
            return;
        }
    }

    /// <summary>A sub-table; an absent one is empty so every key in it takes its default.</summary>
    public ConfigTable Table(string key)
    {
        var value = Raw(key);
        if (value is TomlTable table)
        {
            return new ConfigTable(table, PathOf(key), _problems);
        }

        if (value is not null)
        {
            WrongType(key, "a table", value);
        }

        return new ConfigTable(new TomlTable(), PathOf(key), _problems);
    }

    public string? String(string key)
    {
        var value = Raw(key);
        if (value is null or string)
        {
            return (string?)value;
        }

        WrongType(key, "a string", value);
        return null;
    }

    public bool Boolean(string key, bool fallback)
    {
        var value = Raw(key);
        if (value is bool flag)
        {
            return flag;
        }

        if (value is not null)
        {
            WrongType(key, "a boolean (true or false)", value);
        }

        return fallback;
    }

    public long Integer(string key, long fallback, long min, long max)
    {
        var value = Raw(key);
        if (value is null)
        {
            return fallback;
        }

        if (value is not long number)
        {
            WrongType(key, "an integer", value);
            return fallback;
        }

        if (number < min || number > max)
        {
            Fail(key, $"{number} is out of range ({min} .. {max})");
            return fallback;
        }

        return number;
    }

    /// <summary>An array of strings; null when absent. Elements of other types are named by index.</summary>
    public IReadOnlyList<string>? StringArray(string key)
    {
        var value = Raw(key);
        if (value is null)
        {
            return null;
        }

        if (value is not TomlArray array)
        {
            WrongType(key, "an array of strings", value);
            return null;
        }

        var strings = new List<string>(array.Count);
        for (var i = 0; i < array.Count; i++)
        {
            if (array[i] is string text)
            {
                strings.Add(text);
            }
            else
            {
                _problems.Add(ConfigText.Index(PathOf(key), i), $"expected a string, got {ConfigText.TypeName(array[i])}");
            }
        }

        return strings;
    }

    public TimeSpan Duration(string key, TimeSpan fallback, TimeSpan min, TimeSpan max)
    {
        var value = Raw(key);
        TimeSpan duration;
        switch (value)
        {
            case null:
                return fallback;
            case long seconds:
                duration = DurationSyntax.FromSeconds(seconds);
                break;
            case string text when DurationSyntax.TryParse(text, out duration):
                break;
            case string text:
                Fail(key, $"{ConfigText.Show(text)} is not {DurationSyntax.Expected}");
                return fallback;
            default:
                WrongType(key, DurationSyntax.Expected, value);
                return fallback;
        }

        if (duration < min || duration > max)
        {
            Fail(key, $"{Spelled(value)} is out of range ({DurationSyntax.Format(min)} .. {DurationSyntax.Format(max)})");
            return fallback;
        }

        return duration;
    }

    public long ByteSize(string key, long fallback, long min, long max)
    {
        var value = Raw(key);
        long bytes;
        switch (value)
        {
            case null:
                return fallback;
            case long number:
                bytes = number;
                break;
            case string text when ByteSizeSyntax.TryParse(text, out bytes):
                break;
            case string text when ByteSizeSyntax.IsTooLarge(text):
                Fail(key, $"{ConfigText.Show(text)} is too large (at most {ByteSizeSyntax.Format(max)})");
                return fallback;
            case string text:
                Fail(key, $"{ConfigText.Show(text)} is not {ByteSizeSyntax.Expected}");
                return fallback;
            default:
                WrongType(key, ByteSizeSyntax.Expected, value);
                return fallback;
        }

        if (bytes < min || bytes > max)
        {
            Fail(key, $"{Spelled(value)} is out of range ({ByteSizeSyntax.Format(min)} .. {ByteSizeSyntax.Format(max)})");
            return fallback;
        }

        return bytes;
    }

    /// <summary>
    /// A TOML date-time; one without an offset (local date-time, or a bare date meaning its midnight) is taken as UTC,
    /// since a server's local zone is an accident of where it runs.
    /// </summary>
    public DateTimeOffset? Instant(string key)
    {
        const string expected = "a date-time like 2026-01-31T00:00:00Z or a date like 2026-01-31 (UTC)";
        var value = Raw(key);
        switch (value)
        {
            case null:
                return null;
            case Tomlyn.TomlDateTime { Kind: Tomlyn.TomlDateTimeKind.OffsetDateTimeByZ or Tomlyn.TomlDateTimeKind.OffsetDateTimeByNumber } stamp:
                return stamp.DateTime;
            case Tomlyn.TomlDateTime { Kind: Tomlyn.TomlDateTimeKind.LocalDateTime or Tomlyn.TomlDateTimeKind.LocalDate } stamp:
                return new DateTimeOffset(stamp.DateTime.DateTime.Ticks, TimeSpan.Zero);
            case Tomlyn.TomlDateTime:
                Fail(key, $"a time of day alone is not enough: expected {expected}");
                return null;
            default:
                WrongType(key, expected, value);
                return null;
        }
    }

    public void WrongType(string key, string expected, object value) =>
        Fail(key, $"expected {expected}, got {ConfigText.TypeName(value)}");

    private static string Spelled(object value) => value is string text ? ConfigText.Show(text) : value.ToString() ?? string.Empty;

    /// <summary>The known key within a couple of typos of <paramref name="unknown"/>, or one it starts with.</summary>
    private static string? Closest(string unknown, ReadOnlySpan<string> known)
    {
        var lower = unknown.ToLowerInvariant();
        string? best = null;
        var bestDistance = MaxSuggestionDistance + 1;
        foreach (var candidate in known)
        {
            var distance = EditDistance(lower, candidate);
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        if (best is null)
        {
            foreach (var candidate in known)
            {
                if (lower.StartsWith(candidate, StringComparison.Ordinal))
                {
                    return candidate;
                }
            }
        }

        return best;
    }

    /// <summary>Levenshtein distance; keys are short, so the plain two-row table is plenty.</summary>
    private static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
