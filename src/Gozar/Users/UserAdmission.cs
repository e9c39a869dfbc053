namespace Gozar.Users;

/// <summary>Whether a user may open one more session; everything but Admitted is masked like a probe.</summary>
public enum UserAdmission
{
    Admitted,

    /// <summary>enabled = false.</summary>
    Disabled,

    /// <summary>The expires instant has passed.</summary>
    Expired,

    /// <summary>The quota of the current period is used up.</summary>
    QuotaExhausted,

    /// <summary>max_connections sessions are already open.</summary>
    TooManyConnections,

    /// <summary>max_unique_ips other addresses were seen within limits.unique_ip_window.</summary>
    TooManyIps,

    /// <summary>The user left the config after the connection's key was matched.</summary>
    Removed,

    /// <summary>
    /// The key the connection was matched with is no longer the user's: the secret was changed (a rotation) while the
    /// client was still in its handshake, against the users of the moment it connected.
    /// </summary>
    Rekeyed,
}
