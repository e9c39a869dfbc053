namespace Gozar.Sessions;

/// <summary>How a session ended; every session ends with exactly one, logged and counted once.</summary>
public enum SessionOutcome
{
    /// <summary>An authenticated client was relayed to a DC until one side closed.</summary>
    Relayed,

    /// <summary>Not an authenticated client: relayed to the mask host.</summary>
    Masked,

    /// <summary>Should have been masked, but the mask host could not be reached.</summary>
    MaskUnreachable,

    /// <summary>Authenticated, but no address of the DC could be reached.</summary>
    UpstreamUnreachable,

    /// <summary>The client reset the connection or broke the protocol after authenticating.</summary>
    ClientError,

    /// <summary>The DC reset the connection or failed.</summary>
    UpstreamError,

    /// <summary>No byte moved in either direction for the idle timeout.</summary>
    IdleTimeout,

    /// <summary>The proxy is shutting down.</summary>
    Shutdown,

    /// <summary>The user was removed from the config, disabled, or given a new key.</summary>
    UserRevoked,

    /// <summary>The user's expires instant passed.</summary>
    UserExpired,

    /// <summary>The user's quota for the period is used up.</summary>
    QuotaExhausted,
}

/// <summary>What the first bytes of a connection turned out to be; everything but Authenticated is masked.</summary>
public enum HandshakeVerdict
{
    Authenticated,
    NotTls,
    BadInit,
    BadHmac,
    UnknownSni,
    ClockSkew,
    Replay,
    DisabledMode,
    Malformed,
    Truncated,
    Timeout,

    /// <summary>The source address opened connections that did not authenticate faster than limits.per_ip_rate allows.</summary>
    RateLimited,

    /// <summary>A valid key whose user may not connect now (disabled, expired, over quota or a limit).</summary>
    UserRejected,

    /// <summary>On a [proxy_protocol] listener, a connection from outside the trusted networks.</summary>
    UntrustedProxySource,

    /// <summary>A trusted load balancer sent no valid PROXY protocol header: closed, not masked.</summary>
    BadProxyHeader,
}

/// <summary>Which client protocol a session used.</summary>
public enum ClientMode
{
    Unknown,
    Classic,
    Secure,
    Tls,
}
