using System.Text.Json.Serialization;

namespace Gozar.Users;

/// <summary>One user's usage as kept in the state file.</summary>
public sealed record UserStateRecord
{
    [JsonPropertyName("bytes_up")]
    public long BytesUp { get; init; }

    [JsonPropertyName("bytes_down")]
    public long BytesDown { get; init; }

    [JsonPropertyName("quota_used")]
    public long QuotaUsed { get; init; }

    [JsonPropertyName("period_start")]
    public DateTimeOffset PeriodStart { get; init; }

    [JsonPropertyName("sessions_total")]
    public long SessionsTotal { get; init; }

    /// <summary>
    /// Recent client addresses by key (an HMAC of the address unless log_client_ips is on) with when each was last
    /// seen: after a restart they still count towards max_unique_ips.
    /// </summary>
    [JsonPropertyName("addresses")]
    public Dictionary<string, DateTimeOffset>? Addresses { get; init; }
}
