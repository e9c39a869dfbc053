namespace Gozar.Hosting;

/// <summary>
/// Runs socket continuations on the epoll thread that saw the event instead of queueing each one to the thread pool.
/// On Linux this was the largest single effect in docs/performance.md: a relayed chunk is a few microseconds of work,
/// and the hop to a pool thread and back cost as much again. It is safe here because no continuation in the relay or
/// the handshake blocks. .NET exposes it only as an environment variable, read once when the first socket operation
/// starts, so it is set from inside the process before anything touches a socket (this works under Native AOT too).
/// An explicit <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=0</c> in the environment turns it off.
/// </summary>
public static class SocketCompletions
{
    public const string InlineVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>Sets the variable to 1 unless it is already set; returns whether inline completions are on.</summary>
    public static bool PreferInline()
    {
        var current = Environment.GetEnvironmentVariable(InlineVariable);
        if (current is null)
        {
            Environment.SetEnvironmentVariable(InlineVariable, "1");
            return true;
        }

        return current == "1";
    }
}
