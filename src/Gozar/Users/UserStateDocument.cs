using System.Text.Json.Serialization;

namespace Gozar.Users;

/// <summary>The state file: this install's address salt and every user's usage.</summary>
public sealed record UserStateDocument
{
    public const int CurrentVersion = 1;

    [JsonPropertyName("version")]
    public int Version { get; init; } = CurrentVersion;

    /// <summary>Base64 of the <see cref="ClientAddressKeys"/> salt, made once per install.</summary>
    [JsonPropertyName("address_salt")]
    public string? AddressSalt { get; init; }

    [JsonPropertyName("users")]
    public Dictionary<string, UserStateRecord> Users { get; init; } = new(StringComparer.Ordinal);
}

[JsonSourceGenerationOptions(WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(UserStateDocument))]
internal sealed partial class UserStateJsonContext : JsonSerializerContext;
