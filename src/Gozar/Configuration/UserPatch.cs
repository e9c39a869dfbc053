namespace Gozar.Configuration;

/// <summary>
/// Changes to one user for <see cref="ConfigFileEditor.SetUser"/>: null properties are left as they are; keys named in
/// <see cref="Clear"/> are removed from the file, so they take their defaults.
/// </summary>
public sealed record UserPatch
{
    /// <summary>A 16-byte key; required when the user is new.</summary>
    public byte[]? Secret { get; init; }

    public bool? Enabled { get; init; }
    public int? MaxConnections { get; init; }
    public int? MaxUniqueIps { get; init; }

    /// <summary>Bytes; 0 = unlimited.</summary>
    public long? Quota { get; init; }

    public QuotaReset? QuotaReset { get; init; }
    public DateTimeOffset? Expires { get; init; }
    public string? Note { get; init; }

    /// <summary>TOML key names to delete: "enabled", "max_connections", "max_unique_ips", "quota", "quota_reset", "expires", "note".</summary>
    public IReadOnlyList<string> Clear { get; init; } = [];
}
