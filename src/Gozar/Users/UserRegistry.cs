using Gozar.Configuration;
using Gozar.Sessions;

namespace Gozar.Users;

/// <summary>
/// Every configured user's <see cref="UserAccount"/>, for the life of the process: a reload updates accounts in place,
/// so usage, open sessions and recent addresses carry over; a user removed from the config loses their account.
/// </summary>
public sealed class UserRegistry
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly Action<UserAccount, SessionOutcome> _endSessions;

    /// <summary>Replaced whole on every reload (copy on write): readers never lock.</summary>
    private volatile UserAccount[] _accounts = [];

    /// <param name="endSessions">Ends every open session of a user with the given outcome (the session registry's job).</param>
    public UserRegistry(TimeProvider time, Action<UserAccount, SessionOutcome> endSessions)
    {
        _time = time;
        _endSessions = endSessions;
    }

    /// <summary>The configured users in config order.</summary>
    public IReadOnlyList<UserAccount> Accounts => _accounts;

    public UserAccount? Find(string name) => Array.Find(_accounts, account => account.Name == name);

    /// <summary>Every user's settings and usage now, in config order.</summary>
    public IReadOnlyList<UserUsage> Snapshot()
    {
        var now = _time.GetUtcNow();
        return Array.ConvertAll(_accounts, account => account.Snapshot(now));
    }

    /// <summary>
    /// Makes the accounts match <paramref name="users"/>: new users get an account, changed ones keep theirs with the
    /// new options, removed ones are refused from now on. Sessions of removed, disabled or re-keyed users, and of users
    /// now expired or over quota, are ended. Returns one line per change.
    /// </summary>
    public IReadOnlyList<string> Apply(IReadOnlyList<UserOptions> users, TimeSpan uniqueIpWindow)
    {
        var changes = new List<string>();
        var ended = new List<(UserAccount Account, SessionOutcome Outcome)>();
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            var old = _accounts;
            var next = new UserAccount[users.Count];
            for (var i = 0; i < users.Count; i++)
            {
                var options = users[i];
                var existing = Array.Find(old, account => account.Name == options.Name);
                if (existing is null)
                {
                    next[i] = new UserAccount(options, uniqueIpWindow, now, _endSessions);
                    changes.Add($"user {options.Name} added");
                    continue;
                }

                var changed = !existing.Options.SameAs(options);
                if (existing.Update(options, uniqueIpWindow, now) is { } outcome)
                {
                    ended.Add((existing, outcome));
                }

                if (changed)
                {
                    changes.Add($"user {options.Name} changed");
                }

                next[i] = existing;
            }

            foreach (var account in old)
            {
                if (Array.IndexOf(next, account) < 0)
                {
                    account.Remove();
                    ended.Add((account, SessionOutcome.UserRevoked));
                    changes.Add($"user {account.Name} removed");
                }
            }

            _accounts = next;
        }

        foreach (var (account, outcome) in ended)
        {
            _endSessions(account, outcome);
        }

        return changes;
    }

    /// <summary>Periodic: new quota periods, expiries, forgotten addresses.</summary>
    public void Enforce()
    {
        var now = _time.GetUtcNow();
        foreach (var account in _accounts)
        {
            account.Enforce(now);
        }
    }

    /// <summary>What the state file keeps: usage per user name, client addresses keyed as <paramref name="keys"/> say.</summary>
    internal Dictionary<string, UserStateRecord> Export(ClientAddressKeys keys)
    {
        var now = _time.GetUtcNow();
        var records = new Dictionary<string, UserStateRecord>(StringComparer.Ordinal);
        foreach (var account in _accounts)
        {
            records[account.Name] = account.Export(now, keys);
        }

        return records;
    }

    /// <summary>
    /// Restores usage from the state file for users still configured; others are dropped. Client addresses are keyed as
    /// <paramref name="keys"/> say.
    /// </summary>
    internal void Import(IReadOnlyDictionary<string, UserStateRecord> records, ClientAddressKeys keys)
    {
        var now = _time.GetUtcNow();
        foreach (var account in _accounts)
        {
            if (records.TryGetValue(account.Name, out var record))
            {
                account.Import(record, now, keys);
            }
        }
    }
}
