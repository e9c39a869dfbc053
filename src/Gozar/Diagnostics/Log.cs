using Microsoft.Extensions.Logging;

namespace Gozar.Diagnostics;

/// <summary>
/// Every log line Gozar writes. Secrets never appear in any of them; client addresses only when the operator set
/// log_client_ips (callers pass "-" otherwise).
/// </summary>
public static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Listening on {Endpoint}")]
    public static partial void Listening(ILogger logger, string endpoint);

    [LoggerMessage(2, LogLevel.Debug,
        "Session {Outcome}: user={User} mode={Mode} handshake={Verdict} dc={Dc} up={BytesUp} down={BytesDown} duration={DurationMs}ms client={Client}")]
    public static partial void SessionFinished(
        ILogger logger, string outcome, string user, string mode, string verdict, string dc, long bytesUp, long bytesDown,
        long durationMs, string client);

    [LoggerMessage(3, LogLevel.Warning, "DC {Dc} unreachable: {Reason} (tried {Targets})")]
    public static partial void DcUnreachable(ILogger logger, short dc, string reason, string targets);

    [LoggerMessage(4, LogLevel.Information, "Client asked for unknown DC {Requested}; using DC {Used}")]
    public static partial void DcFallback(ILogger logger, short requested, short used);

    [LoggerMessage(5, LogLevel.Warning, "Mask host {Host} unreachable: {Reason}")]
    public static partial void MaskUnreachable(ILogger logger, string host, string reason);

    [LoggerMessage(6, LogLevel.Error, "Session failed unexpectedly")]
    public static partial void SessionCrashed(ILogger logger, Exception exception);

    [LoggerMessage(7, LogLevel.Information, "Stopped listening on {Endpoint}")]
    public static partial void StoppedListening(ILogger logger, string endpoint);

    [LoggerMessage(9, LogLevel.Information, "Masked connections since the last summary: {Counts} (authenticated clients: {Authenticated})")]
    public static partial void ProbeSummary(ILogger logger, string counts, long authenticated);

    [LoggerMessage(10, LogLevel.Warning,
        "This process may open only {Limit} files (ulimit -n), but limits.max_connections = {MaxConnections} needs about {Needed}: raise the limit (LimitNOFILE= in systemd, ulimit -n) or lower max_connections")]
    public static partial void DescriptorsTooFew(ILogger logger, long limit, int maxConnections, int needed);

    [LoggerMessage(20, LogLevel.Debug, "User {User} refused ({Reason}): connection masked")]
    public static partial void UserRejected(ILogger logger, string user, string reason);

    [LoggerMessage(21, LogLevel.Information, "Ending the sessions of user {User}: {Reason}")]
    public static partial void UserSessionsEnded(ILogger logger, string user, string reason);

    [LoggerMessage(22, LogLevel.Information, "Configuration reloaded: {Changes}")]
    public static partial void Reloaded(ILogger logger, string changes);

    [LoggerMessage(23, LogLevel.Error, "Configuration not reloaded, still running the previous one: {Error}")]
    public static partial void ReloadFailed(ILogger logger, string error);

    [LoggerMessage(24, LogLevel.Error, "Saving user usage failed ({Failures} failures so far): {Error}")]
    public static partial void StateSaveFailed(ILogger logger, long failures, string error);

    [LoggerMessage(25, LogLevel.Warning, "Starting without earlier user usage: {Error}")]
    public static partial void StateLoadFailed(ILogger logger, string error);

    [LoggerMessage(26, LogLevel.Warning, "Not watching the config file for changes ({Reason}); send SIGHUP to reload")]
    public static partial void ConfigWatchFailed(ILogger logger, string reason);

    [LoggerMessage(8, LogLevel.Error, "Accepting on {Endpoint} failed")]
    public static partial void AcceptFailed(ILogger logger, string endpoint, Exception exception);
}
