namespace Gozar.Admin;

/// <summary>One user as the API shows it: settings, secret and links, live usage.</summary>
public sealed record UserView
{
    public required string Name { get; init; }

    /// <summary>The 16-byte key as 32 hex digits; the links carry it in the form each mode needs.</summary>
    public required string Secret { get; init; }

    /// <summary>active | disabled | expired | quota_exhausted.</summary>
    public required string Status { get; init; }

    public required bool Enabled { get; init; }
    public required int MaxConnections { get; init; }
    public required int MaxUniqueIps { get; init; }
    public required long Quota { get; init; }

    /// <summary>never | monthly.</summary>
    public required string QuotaReset { get; init; }

    public DateTimeOffset? Expires { get; init; }
    public string? Note { get; init; }
    public required int ActiveSessions { get; init; }
    public required long SessionsTotal { get; init; }
    public required int UniqueIps { get; init; }
    public required long BytesUp { get; init; }
    public required long BytesDown { get; init; }
    public required long QuotaUsed { get; init; }
    public required IReadOnlyList<LinkView> Links { get; init; }
}

/// <summary>A link for the Telegram app: the secret for one mode, as tg:// and https://t.me.</summary>
public sealed record LinkView(string Mode, string Secret, string Tg, string Tme);

/// <summary>
/// Body of POST /api/v1/users (name required) and PATCH /api/v1/users/{name} (name ignored). Absent or null fields are
/// left as they are (new users: defaults); keys listed in <see cref="Clear"/> go back to their defaults.
/// </summary>
public sealed record UserRequest
{
    public string? Name { get; init; }
    public bool? Enabled { get; init; }
    public int? MaxConnections { get; init; }
    public int? MaxUniqueIps { get; init; }

    /// <summary>Bytes both ways per period; 0 = unlimited.</summary>
    public long? Quota { get; init; }

    /// <summary>never | monthly.</summary>
    public string? QuotaReset { get; init; }

    public DateTimeOffset? Expires { get; init; }
    public string? Note { get; init; }

    /// <summary>Config keys to reset: enabled, max_connections, max_unique_ips, quota, quota_reset, expires, note.</summary>
    public IReadOnlyList<string>? Clear { get; init; }
}
