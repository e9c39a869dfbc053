using System.Globalization;
using System.Text;
using Tomlyn;
using Tomlyn.Parsing;
using Tomlyn.Syntax;

namespace Gozar.Configuration;

/// <summary>
/// Adds, changes and removes users in the config file the way a careful person would by hand: Tomlyn's syntax tree
/// finds the lines, and only those lines are rewritten, so comments and layout elsewhere survive. Every edit is checked
/// by loading the whole new text with <see cref="ConfigLoader"/>; only a valid result is written (to a temporary file
/// renamed over the old one, mode 0600). The running proxy sees it on the next reload.
/// </summary>
public sealed class ConfigFileEditor
{
    private const string UsersTable = "users";

    public ConfigFileEditor(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = path;
    }

    public string Path { get; }

    /// <summary>Adds the user (the patch must carry a secret) or changes only the keys the patch names.</summary>
    public ConfigEditResult SetUser(string name, UserPatch patch) => Edit(text => SetUser(text, name, patch));

    /// <summary>Adds the user, or fails with <see cref="ConfigEditResult.Exists"/> when the file has one of that name.</summary>
    public ConfigEditResult AddUser(string name, UserPatch patch) => Edit(text => AddUser(text, name, patch));

    public ConfigEditResult RemoveUser(string name) => Edit(text => RemoveUser(text, name));

    /// <summary>As <see cref="SetUser(string, string, UserPatch)"/>, but only for a name the text does not have yet.</summary>
    public static (string? Text, ConfigEditResult Result) AddUser(string text, string name, UserPatch patch)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (Parse(text, out var document) is { } syntaxError)
        {
            return (null, syntaxError);
        }

        return Find(document, name).Kind == UserForm.Absent
            ? SetUser(text, name, patch)
            : (null, ConfigEditResult.Taken($"{ConfigText.Path(UsersTable, name)}: a user of that name exists"));
    }

    /// <summary>The edited text, or why the edit cannot be made. Pure: no file access.</summary>
    public static (string? Text, ConfigEditResult Result) SetUser(string text, string name, UserPatch patch)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(patch);
        if (!ConfigLoader.IsUserName(name))
        {
            return (null, ConfigEditResult.Failure($"user name {ConfigText.Show(name)}: {ConfigLoader.UserNameRule}"));
        }

        if (patch.Clear.FirstOrDefault(key => !ConfigLoader.IsUserLimitKey(key)) is { } unknown)
        {
            return (null, ConfigEditResult.Failure($"{ConfigText.Show(unknown)} is not a user key that can be cleared"));
        }

        if (Parse(text, out var document) is { } syntaxError)
        {
            return (null, syntaxError);
        }

        var edits = new List<Splice>();
        var values = ValuesOf(patch);
        var location = Find(document, name);
        switch (location.Kind)
        {
            case UserForm.Unsupported:
                return (null, ConfigEditResult.Failure(
                    $"{ConfigText.Path(UsersTable, name)} is written in a form this editor does not change (inline table or dotted key): edit it by hand"));
            case UserForm.Table:
                EditTable(text, location.Table!, values, patch.Clear, edits);
                break;
            case UserForm.Short when values.All(value => value.Key == "secret"):
                if (values.Count == 1)
                {
                    edits.Add(Replace(location.Entry!.Value!, values[0].Text));
                }

                break;
            case UserForm.Short:
                // A limit needs the table form: the one-line entry becomes a [users.name] table keeping its secret.
                edits.Add(Remove(location.Entry!));
                var secretText = Slice(text, location.Entry!.Value!);
                var merged = values.Where(value => value.Key != "secret").Prepend(("secret", values.Find(v => v.Key == "secret").Text ?? secretText));
                edits.Add(Append(text, NewTable(name, merged)));
                break;
            default:
                if (patch.Secret is null)
                {
                    return (null, ConfigEditResult.Missing($"{ConfigText.Path(UsersTable, name)}: no such user (a new user needs a secret)"));
                }

                if (values.Count == 1 && location.UsersTable is { } users)
                {
                    edits.Add(Insert(text, users, $"{ConfigText.Path(string.Empty, name)} = {values[0].Text}\n"));
                }
                else
                {
                    edits.Add(Append(text, NewTable(name, values)));
                }

                break;
        }

        return (Apply(text, edits), ConfigEditResult.Success);
    }

    public static (string? Text, ConfigEditResult Result) RemoveUser(string text, string name)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (Parse(text, out var document) is { } syntaxError)
        {
            return (null, syntaxError);
        }

        var location = Find(document, name);
        return location.Kind switch
        {
            UserForm.Table => (Apply(text, [Remove(location.Table!)]), ConfigEditResult.Success),
            UserForm.Short => (Apply(text, [Remove(location.Entry!)]), ConfigEditResult.Success),
            UserForm.Unsupported => (null, ConfigEditResult.Failure(
                $"{ConfigText.Path(UsersTable, name)} is written in a form this editor does not change: edit it by hand")),
            _ => (null, ConfigEditResult.Missing($"{ConfigText.Path(UsersTable, name)}: no such user")),
        };
    }

    private ConfigEditResult Edit(Func<string, (string? Text, ConfigEditResult Result)> edit)
    {
        string text;
        try
        {
            text = File.ReadAllText(Path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return ConfigEditResult.Failure($"cannot read config file '{Path}': {e.Message}");
        }

        var (edited, result) = edit(text);
        if (edited is null)
        {
            return result;
        }

        var check = ConfigLoader.Load(edited, Path);
        if (!check.Succeeded)
        {
            return ConfigEditResult.Failure(check.Error);
        }

        return Write(edited);
    }

    private ConfigEditResult Write(string text)
    {
        try
        {
            PrivateFile.Write(Path, Path + ".edit.tmp", text, overwrite: true);
            return ConfigEditResult.Success;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return ConfigEditResult.Failure($"cannot write config file '{Path}': {e.Message}");
        }
    }

    private static ConfigEditResult? Parse(string text, out DocumentSyntax document)
    {
        try
        {
            document = SyntaxParser.ParseStrict(text, sourceName: null, validate: true);
            return null;
        }
        catch (TomlException)
        {
            document = new DocumentSyntax();
            return ConfigEditResult.Failure("the config file is not valid TOML: fix it by hand first");
        }
    }

    private static void EditTable(string text, TableSyntaxBase table, List<(string Key, string Text)> values, IReadOnlyList<string> clear, List<Splice> edits)
    {
        var items = table.Items.OfType<KeyValueSyntax>().ToList();
        foreach (var (key, valueText) in values)
        {
            var existing = items.Find(item => KeyPath(item.Key!) is [var only] && only == key);
            edits.Add(existing is null ? Insert(text, table, $"{key} = {valueText}\n") : Replace(existing.Value!, valueText));
        }

        foreach (var key in clear)
        {
            if (items.Find(item => KeyPath(item.Key!) is [var only] && only == key) is { } existing)
            {
                edits.Add(Remove(existing));
            }
        }
    }

    private static Location Find(DocumentSyntax document, string name)
    {
        TableSyntaxBase? users = null;
        foreach (var table in document.Tables)
        {
            var path = KeyPath(table.Name!);
            if (table is TableSyntax && path is [UsersTable])
            {
                users = table;
            }
        }

        foreach (var table in document.Tables)
        {
            var path = KeyPath(table.Name!);
            if (path.Count > 2 && path[0] == UsersTable && path[1] == name)
            {
                return new Location(UserForm.Unsupported, null, null, users);
            }

            if (path.Count == 2 && path[0] == UsersTable && path[1] == name)
            {
                return table is TableSyntax ? new Location(UserForm.Table, table, null, users) : new Location(UserForm.Unsupported, null, null, users);
            }
        }

        foreach (var entry in document.KeyValues)
        {
            if (KeyPath(entry.Key!) is [UsersTable, ..])
            {
                return new Location(UserForm.Unsupported, null, null, users);
            }
        }

        foreach (var entry in users?.Items.OfType<KeyValueSyntax>() ?? [])
        {
            var path = KeyPath(entry.Key!);
            if (path.Count >= 1 && path[0] == name)
            {
                return path.Count == 1 && entry.Value is StringValueSyntax
                    ? new Location(UserForm.Short, null, entry, users)
                    : new Location(UserForm.Unsupported, null, null, users);
            }
        }

        return new Location(UserForm.Absent, null, null, users);
    }

    private static List<string> KeyPath(KeySyntax key)
    {
        var path = new List<string> { KeyName(key.Key) };
        if (key.DotKeys is { } dots)
        {
            for (var i = 0; i < dots.ChildrenCount; i++)
            {
                path.Add(KeyName(((DottedKeyItemSyntax)dots.GetChild(i)!).Key));
            }
        }

        return path;
    }

    private static string KeyName(SyntaxNode? key) => key switch
    {
        BareKeySyntax bare => bare.Key!.Text!,
        StringValueSyntax quoted => quoted.Value!,
        _ => string.Empty,
    };

    /// <summary>The TOML lines for the patch's values, in the order keys appear in the README.</summary>
    private static List<(string Key, string Text)> ValuesOf(UserPatch patch)
    {
        var values = new List<(string Key, string Text)>();
        if (patch.Secret is { } secret)
        {
            values.Add(("secret", Quote(UserSecretSyntax.ToHex(secret))));
        }

        if (patch.Enabled is { } enabled)
        {
            values.Add(("enabled", enabled ? "true" : "false"));
        }

        if (patch.MaxConnections is { } connections)
        {
            values.Add(("max_connections", connections.ToString(CultureInfo.InvariantCulture)));
        }

        if (patch.MaxUniqueIps is { } ips)
        {
            values.Add(("max_unique_ips", ips.ToString(CultureInfo.InvariantCulture)));
        }

        if (patch.Quota is { } quota)
        {
            var size = ByteSizeSyntax.Format(quota);
            values.Add(("quota", size.EndsWith("iB", StringComparison.Ordinal) ? Quote(size) : size));
        }

        if (patch.QuotaReset is { } reset)
        {
            values.Add(("quota_reset", Quote(reset == QuotaReset.Monthly ? "monthly" : "never")));
        }

        if (patch.Expires is { } expires)
        {
            values.Add(("expires", expires.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)));
        }

        if (patch.Note is { } note)
        {
            values.Add(("note", Quote(note)));
        }

        return values;
    }

    private static string NewTable(string name, IEnumerable<(string Key, string Text)> values)
    {
        var builder = new StringBuilder().Append('[').Append(ConfigText.Path(UsersTable, name)).Append("]\n");
        foreach (var (key, text) in values)
        {
            builder.Append(key).Append(" = ").Append(text).Append('\n');
        }

        return builder.ToString();
    }

    /// <summary>A TOML basic string.</summary>
    private static string Quote(string value)
    {
        var builder = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"' or '\\':
                    builder.Append('\\').Append(c);
                    break;
                case < ' ' or '\u007f':
                    builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default:
                    builder.Append(c);
                    break;
            }
        }

        return builder.Append('"').ToString();
    }

    private static string Slice(string text, SyntaxNode node) => text.Substring(node.Span.Start.Offset, node.Span.End.Offset - node.Span.Start.Offset + 1);

    private static Splice Replace(SyntaxNode node, string replacement) =>
        new(node.Span.Start.Offset, node.Span.End.Offset - node.Span.Start.Offset + 1, replacement);

    /// <summary>Removes a whole entry or table: its span runs through its end of line.</summary>
    private static Splice Remove(SyntaxNode node) => Replace(node, string.Empty);

    /// <summary>A new line at the end of a table's entries.</summary>
    private static Splice Insert(string text, TableSyntaxBase table, string line)
    {
        var offset = table.Span.End.Offset + 1;
        var needsNewLine = offset > text.Length || text[offset - 1] != '\n';
        return new Splice(Math.Min(offset, text.Length), 0, needsNewLine ? "\n" + line : line);
    }

    private static Splice Append(string text, string block)
    {
        var separator = text.Length == 0 ? string.Empty : text.EndsWith("\n\n", StringComparison.Ordinal) ? string.Empty : text.EndsWith('\n') ? "\n" : "\n\n";
        return new Splice(text.Length, 0, separator + block);
    }

    private static string Apply(string text, List<Splice> edits)
    {
        var builder = new StringBuilder(text);
        foreach (var edit in edits.OrderByDescending(edit => edit.Offset))
        {
            builder.Remove(edit.Offset, edit.Length).Insert(edit.Offset, edit.Replacement);
        }

        return builder.ToString();
    }

    private enum UserForm
    {
        Absent,
        Short,
        Table,
        Unsupported,
    }

    private sealed record Location(UserForm Kind, TableSyntaxBase? Table, KeyValueSyntax? Entry, TableSyntaxBase? UsersTable);

    private readonly record struct Splice(int Offset, int Length, string Replacement);
}
