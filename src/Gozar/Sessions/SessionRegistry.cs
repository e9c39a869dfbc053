using System.Collections.Concurrent;

namespace Gozar.Sessions;

/// <summary>The sessions alive now: swept for idleness, and aborted together at shutdown.</summary>
public sealed class SessionRegistry
{
    private readonly ConcurrentDictionary<long, ClientSession> _sessions = new();
    private long _nextId;

    public int Count => _sessions.Count;

    /// <summary>Sessions ever added.</summary>
    public long Started => Interlocked.Read(ref _nextId);

    /// <summary>The sessions alive at the moment of enumeration (for gauges and the admin API).</summary>
    public IEnumerable<ClientSession> Sessions => _sessions.Values;

    public long Add(ClientSession session)
    {
        var id = Interlocked.Increment(ref _nextId);
        _sessions[id] = session;
        return id;
    }

    public void Remove(long id)
    {
        _sessions.TryRemove(id, out _);
        if (_sessions.IsEmpty)
        {
            Interlocked.Exchange(ref _emptied, null)?.TrySetResult();
        }
    }

    private TaskCompletionSource? _emptied;

    /// <summary>Completes when no session is left (for a graceful stop).</summary>
    public async Task WaitUntilEmptyAsync(CancellationToken cancellation)
    {
        while (!_sessions.IsEmpty)
        {
            var emptied = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Interlocked.Exchange(ref _emptied, emptied);
            if (_sessions.IsEmpty)
            {
                return;
            }

            await emptied.Task.WaitAsync(cancellation).ConfigureAwait(false);
        }
    }

    /// <summary>Aborts every session whose bytes stopped moving longer than <paramref name="idle"/> ago.</summary>
    /// <remarks>
    /// Not a session still in its handshake: only the relay marks activity, and the handshake deadline bounds that phase,
    /// ending it as the mask site would. With timeouts.idle below timeouts.handshake the sweep would otherwise cut off
    /// slow clients and probes, closing where the site would have answered.
    /// </remarks>
    public void SweepIdle(TimeSpan idle)
    {
        foreach (var entry in _sessions)
        {
            if (!entry.Value.InHandshake && entry.Value.Activity.IdleFor >= idle)
            {
                entry.Value.Abort(SessionOutcome.IdleTimeout);
            }
        }
    }

    /// <summary>Ends every session of one user (removed, disabled, expired, over quota).</summary>
    public void AbortUser(Users.UserAccount account, SessionOutcome reason)
    {
        foreach (var entry in _sessions)
        {
            if (entry.Value.Account == account)
            {
                entry.Value.Abort(reason);
            }
        }
    }

    public void AbortAll()
    {
        foreach (var entry in _sessions)
        {
            entry.Value.Abort(SessionOutcome.Shutdown);
        }
    }
}
