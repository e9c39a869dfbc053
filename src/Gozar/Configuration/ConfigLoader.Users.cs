using Tomlyn.Model;

namespace Gozar.Configuration;

public static partial class ConfigLoader
{
    private const int MaxUserNameLength = 64;
    private const int MaxNoteLength = 1024;
    private const int MaxPerUserCount = 1_000_000;
    internal const string UserNameRule = "user names are 1..64 characters of A-Z a-z 0-9 _ . -";

    private static readonly string[] UserTableKeys =
        ["secret", "enabled", "max_connections", "max_unique_ips", "quota", "quota_reset", "expires", "note", "ad_tag"];

    private static List<UserOptions> BindUsers(ConfigTable root)
    {
        var users = new List<UserOptions>();
        var table = root.Table("users");
        if (table.Count == 0)
        {
            root.Fail("users", "at least one user is required, e.g. [users] alice = \"<32 hex digits>\"");
        }

        foreach (var (name, value) in table.Entries)
        {
            if (!IsUserName(name))
            {
                table.Fail(name, UserNameRule);
                continue;
            }

            if (BindUserKey(table, name, value) is not { } key)
            {
                continue;
            }

            var twin = users.Find(user => user.Secret.AsSpan().SequenceEqual(key));
            if (twin is not null)
            {
                table.Fail(name, $"has the same secret as {table.PathOf(twin.Name)}; every user needs their own, or the proxy cannot tell them apart");
                continue;
            }

            var adTag = value is TomlTable ? BindAdTag(table.Table(name)) : null;
            var user = new UserOptions(name, key, adTag);
            users.Add(value is TomlTable ? BindUserLimits(table.Table(name), user) : user);
        }

        return users;
    }

    /// <summary>The optional keys of a `[users.name]` table; absent ones keep their defaults (no limit).</summary>
    private static UserOptions BindUserLimits(ConfigTable user, UserOptions options)
    {
        var quotaReset = user.String("quota_reset") switch
        {
            null or "never" => QuotaReset.Never,
            "monthly" => QuotaReset.Monthly,
            var other => FailWith(user, "quota_reset", $"{ConfigText.Show(other)} is not one of never, monthly", QuotaReset.Never),
        };
        var note = user.String("note");
        if (note is { Length: > MaxNoteLength })
        {
            user.Fail("note", $"is longer than {MaxNoteLength} characters");
        }

        return options with
        {
            Enabled = user.Boolean("enabled", true),
            MaxConnections = (int)user.Integer("max_connections", 0, 0, MaxPerUserCount),
            MaxUniqueIps = (int)user.Integer("max_unique_ips", 0, 0, MaxPerUserCount),
            Quota = user.ByteSize("quota", 0, 0, long.MaxValue),
            QuotaReset = quotaReset,
            Expires = user.Instant("expires"),
            Note = note,
        };
    }

    /// <summary>The user's key from either `name = "secret"` or a `[users.name]` table.</summary>
    private static byte[]? BindUserKey(ConfigTable users, string name, object value)
    {
        ConfigTable owner;
        string key;
        string? text;
        if (value is TomlTable)
        {
            owner = users.Table(name);
            owner.RejectUnknownKeys(UserTableKeys);
            key = "secret";
            text = owner.String(key);
            if (text is null && !owner.Contains(key))
            {
                owner.Fail(key, "required: 32 hex digits (a 16-byte key)");
            }
        }
        else
        {
            owner = users;
            key = name;
            text = value as string;
            if (text is null)
            {
                // Never echo the value: it may be a mangled secret.
                users.WrongType(name, "a secret string or a table with secret = \"...\"", value);
            }
        }

        if (text is null)
        {
            return null;
        }

        if (!UserSecretSyntax.TryParseKey(text, out var parsed))
        {
            owner.Fail(key, $"secret {UserSecretSyntax.Expected}");
            return null;
        }

        return parsed;
    }

    /// <summary>A key of a [users.name] table other than the secret: what <see cref="UserPatch.Clear"/> may name.</summary>
    internal static bool IsUserLimitKey(string key) => key != "secret" && UserTableKeys.Contains(key);

    internal static bool IsUserName(string name)
    {
        if (name.Length is 0 or > MaxUserNameLength)
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('_' or '.' or '-'))
            {
                return false;
            }
        }

        return true;
    }
}
