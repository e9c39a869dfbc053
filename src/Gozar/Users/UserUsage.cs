using Gozar.Configuration;

namespace Gozar.Users;

/// <summary>One user's settings and usage at one moment, for the admin API, metrics and the state file.</summary>
/// <param name="Options">The user's current options, secret included: callers that show it to people decide.</param>
/// <param name="ActiveSessions">Sessions open now.</param>
/// <param name="SessionsTotal">Sessions admitted since the state file was first written.</param>
/// <param name="UniqueIps">Distinct client addresses counting towards max_unique_ips now.</param>
/// <param name="BytesUp">Client-to-DC bytes since the state file was first written.</param>
/// <param name="BytesDown">DC-to-client bytes since the state file was first written.</param>
/// <param name="QuotaUsed">Bytes (both ways) counted against the quota in the current period.</param>
/// <param name="PeriodStart">When the current quota period began (UTC).</param>
/// <param name="Rejected">Refused connections by <see cref="UserAdmission"/> (index 0, Admitted, is always 0).</param>
public sealed record UserUsage(
    UserOptions Options,
    UserStatus Status,
    int ActiveSessions,
    long SessionsTotal,
    int UniqueIps,
    long BytesUp,
    long BytesDown,
    long QuotaUsed,
    DateTimeOffset PeriodStart,
    IReadOnlyList<long> Rejected)
{
    public string Name => Options.Name;
}
