namespace Gozar.Protocol.FakeTls;

/// <summary>
/// Which ClientHello timestamps are accepted (spec §5.4): <c>now - MaxPast &lt;= ts &lt;= now + MaxFuture</c>,
/// or any timestamp when <see cref="Ignore"/> is set.
/// </summary>
/// <remarks>
/// Small "time since boot" timestamps (mtprotoproxy accepts ts &lt; 86 400 000, telemt a smaller bound)
/// are deliberately not accepted: such a hello would pass the time check forever, while the replay
/// cache only remembers randoms for about the accepted window, so a captured hello could be replayed
/// indefinitely once its cache entry expired. Telegram clients send a server-corrected unix time.
/// </remarks>
public readonly record struct ClockSkewWindow(TimeSpan MaxPast, TimeSpan MaxFuture, bool Ignore)
{
    /// <summary>Spec §5.4 recommendation: 10 minutes behind, 2 minutes ahead.</summary>
    public static ClockSkewWindow Default { get; } = new(TimeSpan.FromSeconds(600), TimeSpan.FromSeconds(120), false);

    public bool Allows(uint timestamp, long nowUnixSeconds)
    {
        if (Ignore)
        {
            return true;
        }

        long ts = timestamp;
        return ts >= nowUnixSeconds - (long)MaxPast.TotalSeconds
            && ts <= nowUnixSeconds + (long)MaxFuture.TotalSeconds;
    }
}
