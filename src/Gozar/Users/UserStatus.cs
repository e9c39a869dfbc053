namespace Gozar.Users;

/// <summary>What a user's next connection would meet, ignoring the per-connection limits.</summary>
public enum UserStatus
{
    Active,
    Disabled,
    Expired,
    QuotaExhausted,
}
