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

    // These are written through a LogGate (keyed by these ids): {Held} is how many like it were not written since the
    // last one.
    public const int AcceptFailedEvent = 8;
    public const int DcUnreachableEvent = 3;
    public const int DcFallbackEvent = 4;
    public const int MaskUnreachableEvent = 5;
    public const int MeUnreachableEvent = 86;

    [LoggerMessage(DcUnreachableEvent, LogLevel.Warning, "DC {Dc} unreachable: {Reason} (tried {Targets}); {Held} more since the last such line")]
    public static partial void DcUnreachable(ILogger logger, short dc, string reason, string targets, long held);

    [LoggerMessage(DcFallbackEvent, LogLevel.Information, "Client asked for unknown DC {Requested}; using DC {Used}; {Held} more since the last such line")]
    public static partial void DcFallback(ILogger logger, short requested, short used, long held);

    [LoggerMessage(MaskUnreachableEvent, LogLevel.Warning, "Mask host {Host} unreachable: {Reason}; {Held} more since the last such line")]
    public static partial void MaskUnreachable(ILogger logger, string host, string reason, long held);

    [LoggerMessage(6, LogLevel.Error, "Session failed unexpectedly")]
    public static partial void SessionCrashed(ILogger logger, Exception exception);

    [LoggerMessage(7, LogLevel.Information, "Stopped listening on {Endpoint}")]
    public static partial void StoppedListening(ILogger logger, string endpoint);

    [LoggerMessage(9, LogLevel.Information, "Masked connections since the last summary: {Counts} (authenticated clients: {Authenticated})")]
    public static partial void ProbeSummary(ILogger logger, string counts, long authenticated);

    [LoggerMessage(10, LogLevel.Warning,
        "This process may open only {Limit} files (ulimit -n): admitting at most {Connections} connections and {Preconnects} mask preconnects at once, not limits.max_connections = {MaxConnections}; raise the limit (LimitNOFILE= in systemd, ulimit -n) to admit more")]
    public static partial void DescriptorsTooFew(ILogger logger, long limit, int connections, int preconnects, int maxConnections);

    [LoggerMessage(92, LogLevel.Information, "Raised the open-file limit (ulimit -n) from {Before} to its hard limit {After}")]
    public static partial void DescriptorLimitRaised(ILogger logger, ulong before, ulong after);

    [LoggerMessage(40, LogLevel.Warning,
        "A trusted load balancer sent no valid PROXY protocol header (v1 or v2); connection closed. Check that it sends one to every listener in [proxy_protocol] listeners")]
    public static partial void BadProxyHeader(ILogger logger);

    [LoggerMessage(11, LogLevel.Information, "Fake-TLS server flight shaped like: {Profile}")]
    public static partial void TlsProfileInUse(ILogger logger, string profile);

    [LoggerMessage(12, LogLevel.Information, "AES-256-CTR for bulk data: {Implementation}")]
    public static partial void BulkCipher(ILogger logger, string implementation);

    [LoggerMessage(80, LogLevel.Warning,
        "An ad tag is configured but upstream.mode = \"direct\": ad tags only work in middle-proxy mode, so it has no effect (set upstream.mode = \"middle\" to use it)")]
    public static partial void AdTagIgnored(ILogger logger);

    [LoggerMessage(81, LogLevel.Information, "Middle-end files refreshed")]
    public static partial void MiddleRefreshed(ILogger logger);

    [LoggerMessage(82, LogLevel.Warning, "Middle-end refresh failed, keeping the last good files: {Problem}")]
    public static partial void MiddleRefreshFailed(ILogger logger, string problem);

    [LoggerMessage(83, LogLevel.Warning, "Middle-end files not usable yet ({Problem}); downloading them now")]
    public static partial void MiddleFilesMissing(ILogger logger, string problem);

    [LoggerMessage(84, LogLevel.Warning, "Middle-end {Address} for DC {Dc} failed: {Reason}")]
    public static partial void MeFailed(ILogger logger, string address, int dc, string reason);

    [LoggerMessage(85, LogLevel.Information, "Middle-end connection to {Address} for DC {Dc} lost: {Reason}")]
    public static partial void MeLost(ILogger logger, string address, int dc, string reason);

    [LoggerMessage(MeUnreachableEvent, LogLevel.Warning, "No middle-end of DC {Dc} could be reached (asked for {Requested}); {Held} more since the last such line")]
    public static partial void MeUnreachable(ILogger logger, int dc, short requested, long held);

    [LoggerMessage(87, LogLevel.Debug, "Middle-end connection to {Address} for DC {Dc} up (CRC32C: {Crc32C})")]
    public static partial void MeConnected(ILogger logger, string address, int dc, bool crc32C);

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

    [LoggerMessage(91, LogLevel.Warning,
        "{Count} new connection(s) over limits.per_ip_rate / per_ip_burst came from an address that clients also authenticated from, and got over_rate: clients behind one address (a relay or load balancer without PROXY header, a carrier's NAT) share its limit once their handshakes in flight outnumber the burst. Have the relay send a PROXY protocol header ([proxy_protocol]), or raise limits.per_ip_burst, or set limits.per_ip_rate = 0")]
    public static partial void SharedAddressOverRate(ILogger logger, long count);

    [LoggerMessage(90, LogLevel.Debug, "Memory trimmed after new connections stopped: GC committed {BeforeMiB} -> {AfterMiB} MiB, paused {PauseMs} ms")]
    public static partial void MemoryTrimmed(ILogger logger, long beforeMiB, long afterMiB, long pauseMs);

    [LoggerMessage(AcceptFailedEvent, LogLevel.Error, "Accepting on {Endpoint} failed: {Reason}; retrying every 100 ms, {Held} more since the last such line")]
    public static partial void AcceptFailed(ILogger logger, string endpoint, string reason, long held);

    [LoggerMessage(88, LogLevel.Debug, "Mask site {Host} closed or answered a connection opened in advance before the client's handshake was decided")]
    public static partial void MaskClosedFirst(ILogger logger, string host);

    [LoggerMessage(89, LogLevel.Debug,
        "Mask site closed its connection opened in advance, but the client had already sent {Bytes} more bytes: deciding again with them")]
    public static partial void MaskClosedBeforeClientRead(ILogger logger, int bytes);
}
