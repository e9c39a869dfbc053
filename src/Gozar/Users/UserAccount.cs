using System.Security.Cryptography;
using Gozar.Configuration;
using Gozar.Relay;
using Gozar.Sessions;

namespace Gozar.Users;

/// <summary>
/// One user's live state across reloads: options, open sessions, recent client addresses, byte counters. Admission
/// (once per session) takes a lock; byte counting (once per chunk) is Interlocked adds only.
/// </summary>
public sealed class UserAccount
{
    private static readonly int AdmissionCount = Enum.GetValues<UserAdmission>().Length;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, AddressUse> _addresses = new(StringComparer.Ordinal);
    private readonly long[] _rejected = new long[AdmissionCount];
    private readonly Action<UserAccount, SessionOutcome> _endSessions;

    private volatile UserOptions _options;
    private TimeSpan _uniqueIpWindow;
    private bool _removed;
    private int _active;
    private long _sessionsTotal;
    private long _bytesUp;
    private long _bytesDown;
    private long _quotaUsed;
    private long _quotaLimit;
    private DateTimeOffset _periodStart;

    /// <summary>1 once the quota-exhausted sessions were told to end, so a flood of chunks ends them only once.</summary>
    private int _exhaustionSignalled;

    internal UserAccount(UserOptions options, TimeSpan uniqueIpWindow, DateTimeOffset now, Action<UserAccount, SessionOutcome> endSessions)
    {
        _options = options;
        _uniqueIpWindow = uniqueIpWindow;
        _quotaLimit = QuotaLimitOf(options);
        _periodStart = PeriodStartOf(options.QuotaReset, now);
        _endSessions = endSessions;
        Up = new Meter(this, up: true);
        Down = new Meter(this, up: false);
    }

    public string Name => _options.Name;

    public UserOptions Options => _options;

    /// <summary>Counts client-to-DC bytes of this user's sessions.</summary>
    public TrafficMeter Up { get; }

    /// <summary>Counts DC-to-client bytes of this user's sessions.</summary>
    public TrafficMeter Down { get; }

    public long BytesUp => Interlocked.Read(ref _bytesUp);

    public long BytesDown => Interlocked.Read(ref _bytesDown);

    public int ActiveSessions => Volatile.Read(ref _active);

    /// <summary>
    /// Admits one more session from the address keyed <paramref name="addressKey"/> (see <see cref="ClientAddressKeys"/>),
    /// or says why not. An admitted session must be given back with <see cref="Close"/>.
    /// </summary>
    /// <param name="secret">The key the connection was matched with; empty: not checked.</param>
    public UserAdmission TryOpen(string addressKey, DateTimeOffset now, ReadOnlySpan<byte> secret = default)
    {
        lock (_gate)
        {
            var verdict = !secret.IsEmpty && !CryptographicOperations.FixedTimeEquals(secret, _options.Secret)
                ? UserAdmission.Rekeyed
                : Check(addressKey, now);
            if (verdict != UserAdmission.Admitted)
            {
                _rejected[(int)verdict]++;
                return verdict;
            }

            _active++;
            _sessionsTotal++;
            ref var use = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_addresses, addressKey, out _);
            use.Open++;
            use.LastSeen = now;
            return verdict;
        }
    }

    public void Close(string addressKey, DateTimeOffset now)
    {
        lock (_gate)
        {
            _active--;
            if (_addresses.TryGetValue(addressKey, out var use))
            {
                _addresses[addressKey] = new AddressUse { Open = use.Open - 1, LastSeen = now };
            }
        }
    }

    private UserAdmission Check(string addressKey, DateTimeOffset now)
    {
        var options = _options;
        if (_removed)
        {
            return UserAdmission.Removed;
        }

        if (!options.Enabled)
        {
            return UserAdmission.Disabled;
        }

        if (options.Expires <= now)
        {
            return UserAdmission.Expired;
        }

        RollPeriod(now);
        if (options.Quota > 0 && Interlocked.Read(ref _quotaUsed) >= options.Quota)
        {
            return UserAdmission.QuotaExhausted;
        }

        if (options.MaxConnections > 0 && _active >= options.MaxConnections)
        {
            return UserAdmission.TooManyConnections;
        }

        if (options.MaxUniqueIps > 0 && !_addresses.ContainsKey(addressKey))
        {
            ForgetStaleAddresses(now);
            if (_addresses.Count >= options.MaxUniqueIps)
            {
                return UserAdmission.TooManyIps;
            }
        }

        return UserAdmission.Admitted;
    }

    /// <summary>Periodic check: a new quota period, expiry, exhaustion missed by racing sessions, old addresses.</summary>
    internal void Enforce(DateTimeOffset now)
    {
        SessionOutcome? end = null;
        lock (_gate)
        {
            RollPeriod(now);
            ForgetStaleAddresses(now);
            var options = _options;
            if (_active > 0)
            {
                if (_removed || !options.Enabled)
                {
                    end = SessionOutcome.UserRevoked;
                }
                else if (options.Expires <= now)
                {
                    end = SessionOutcome.UserExpired;
                }
                else if (options.Quota > 0 && Interlocked.Read(ref _quotaUsed) >= options.Quota)
                {
                    end = SessionOutcome.QuotaExhausted;
                }
            }
        }

        if (end is { } outcome)
        {
            _endSessions(this, outcome);
        }
    }

    /// <summary>Takes new options from a reload. Returns how the user's open sessions must end, or null to keep them.</summary>
    internal SessionOutcome? Update(UserOptions options, TimeSpan uniqueIpWindow, DateTimeOffset now)
    {
        lock (_gate)
        {
            var old = _options;
            _options = options;
            _uniqueIpWindow = uniqueIpWindow;
            if (old.QuotaReset != options.QuotaReset)
            {
                _periodStart = PeriodStartOf(options.QuotaReset, now);
            }

            Volatile.Write(ref _quotaLimit, QuotaLimitOf(options));
            if (options.Quota == 0 || Interlocked.Read(ref _quotaUsed) < options.Quota)
            {
                Volatile.Write(ref _exhaustionSignalled, 0);
            }

            if (_active == 0)
            {
                return null;
            }

            if (!options.Enabled || !old.Secret.AsSpan().SequenceEqual(options.Secret))
            {
                return SessionOutcome.UserRevoked;
            }

            if (options.Expires <= now)
            {
                return SessionOutcome.UserExpired;
            }

            return options.Quota > 0 && Interlocked.Read(ref _quotaUsed) >= options.Quota ? SessionOutcome.QuotaExhausted : null;
        }
    }

    /// <summary>The user left the config: refuse from now on.</summary>
    internal void Remove()
    {
        lock (_gate)
        {
            _removed = true;
        }
    }

    public UserUsage Snapshot(DateTimeOffset now)
    {
        lock (_gate)
        {
            RollPeriod(now);
            ForgetStaleAddresses(now);
            var options = _options;
            var status = !options.Enabled ? UserStatus.Disabled
                : options.Expires <= now ? UserStatus.Expired
                : options.Quota > 0 && Interlocked.Read(ref _quotaUsed) >= options.Quota ? UserStatus.QuotaExhausted
                : UserStatus.Active;
            return new UserUsage(
                options, status, _active, _sessionsTotal, _addresses.Count, BytesUp, BytesDown, Interlocked.Read(ref _quotaUsed),
                _periodStart, (long[])_rejected.Clone());
        }
    }

    /// <summary>What the state file keeps of this user, its addresses keyed as <paramref name="keys"/> say.</summary>
    internal UserStateRecord Export(DateTimeOffset now, ClientAddressKeys keys)
    {
        lock (_gate)
        {
            ForgetStaleAddresses(now);
            var addresses = new Dictionary<string, DateTimeOffset>(_addresses.Count, StringComparer.Ordinal);
            foreach (var (key, use) in _addresses)
            {
                // An open session's address counts as seen now: after a restart it is still one of the user's.
                // Addresses seen before a reload turned log_client_ips off are still held in the clear here until they
                // age out; the file gets them keyed.
                Remember(addresses, keys.Rekey(key), use.Open > 0 ? now : use.LastSeen);
            }

            return new UserStateRecord
            {
                BytesUp = BytesUp,
                BytesDown = BytesDown,
                QuotaUsed = Interlocked.Read(ref _quotaUsed),
                PeriodStart = _periodStart,
                SessionsTotal = _sessionsTotal,
                Addresses = addresses,
            };
        }
    }

    /// <summary>
    /// Restores usage written by an earlier run; called once, before any session. Addresses that run kept in the clear
    /// (log_client_ips was on) are keyed as <paramref name="keys"/> say, so they count as the same addresses again.
    /// </summary>
    internal void Import(UserStateRecord record, DateTimeOffset now, ClientAddressKeys keys)
    {
        lock (_gate)
        {
            Interlocked.Exchange(ref _bytesUp, Math.Max(0, record.BytesUp));
            Interlocked.Exchange(ref _bytesDown, Math.Max(0, record.BytesDown));
            Interlocked.Exchange(ref _quotaUsed, Math.Max(0, record.QuotaUsed));
            _sessionsTotal = Math.Max(0, record.SessionsTotal);
            // A record written while the quota never reset has no period (the epoch): its usage carries into the
            // current month, as when quota_reset changes by a reload, instead of being rolled over to zero.
            if (_options.QuotaReset == QuotaReset.Monthly && record.PeriodStart != DateTimeOffset.UnixEpoch)
            {
                _periodStart = record.PeriodStart;
            }

            var addresses = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
            foreach (var (key, seen) in record.Addresses ?? [])
            {
                Remember(addresses, keys.Rekey(key), seen);
            }

            foreach (var (key, seen) in addresses)
            {
                _addresses[key] = new AddressUse { Open = 0, LastSeen = seen };
            }

            RollPeriod(now);
            ForgetStaleAddresses(now);
        }
    }

    /// <summary>The operator starts the quota over now (admin API): the used bytes go back to 0, the period is kept.</summary>
    public void ResetQuota()
    {
        lock (_gate)
        {
            Interlocked.Exchange(ref _quotaUsed, 0);
            Volatile.Write(ref _exhaustionSignalled, 0);
        }
    }

    /// <summary>Monthly quotas start over at 00:00 UTC on the first of the month.</summary>
    private void RollPeriod(DateTimeOffset now)
    {
        if (_options.QuotaReset != QuotaReset.Monthly)
        {
            return;
        }

        var current = PeriodStartOf(QuotaReset.Monthly, now);
        if (current > _periodStart)
        {
            _periodStart = current;
            Interlocked.Exchange(ref _quotaUsed, 0);
            Volatile.Write(ref _exhaustionSignalled, 0);
        }
    }

    /// <summary>Two keys that became one (an address in the clear and its keyed hash) keep the later time.</summary>
    private static void Remember(Dictionary<string, DateTimeOffset> addresses, string key, DateTimeOffset seen)
    {
        if (!addresses.TryGetValue(key, out var other) || other < seen)
        {
            addresses[key] = seen;
        }
    }

    private void ForgetStaleAddresses(DateTimeOffset now)
    {
        List<string>? stale = null;
        foreach (var (key, use) in _addresses)
        {
            if (use.Open <= 0 && now - use.LastSeen >= _uniqueIpWindow)
            {
                (stale ??= []).Add(key);
            }
        }

        stale?.ForEach(key => _addresses.Remove(key));
    }

    private static DateTimeOffset PeriodStartOf(QuotaReset reset, DateTimeOffset now)
    {
        var utc = now.UtcDateTime;
        return reset == QuotaReset.Monthly
            ? new DateTimeOffset(utc.Year, utc.Month, 1, 0, 0, 0, TimeSpan.Zero)
            : DateTimeOffset.UnixEpoch;
    }

    private static long QuotaLimitOf(UserOptions options) => options.Quota > 0 ? options.Quota : long.MaxValue;

    private void CountBytes(int bytes, bool up)
    {
        Interlocked.Add(ref up ? ref _bytesUp : ref _bytesDown, bytes);
        if (Interlocked.Add(ref _quotaUsed, bytes) >= Volatile.Read(ref _quotaLimit)
            && Interlocked.Exchange(ref _exhaustionSignalled, 1) == 0)
        {
            // Off the pump's thread: ending sessions closes sockets, this pump's among them.
            ThreadPool.UnsafeQueueUserWorkItem(account => account._endSessions(account, SessionOutcome.QuotaExhausted), this, preferLocal: false);
        }
    }

    private struct AddressUse
    {
        public int Open;
        public DateTimeOffset LastSeen;
    }

    private sealed class Meter(UserAccount account, bool up) : TrafficMeter
    {
        public override void Count(int bytes) => account.CountBytes(bytes, up);
    }
}
