using Gozar.Relay;

namespace Gozar.Tests.Infrastructure;

/// <summary>Counts the pending waits it is told of and has them honour <c>token</c>.</summary>
public sealed class CountingWaitHook(CancellationToken token) : IPendingWaitHook
{
    public int Calls { get; private set; }

    public CancellationToken WaitPending(CancellationToken cancellation)
    {
        Calls++;
        return token;
    }
}
