using Gozar.Configuration;

namespace Gozar.Listening;

/// <summary>
/// The descriptors a proxy process may open for clients: its open-file limit, less those open at start (the runtime's
/// own, logs) and a reserve for what it opens later (listeners, threads, the admin listener, middle-end connections,
/// the state file). Each client holds two (its own and the DC's or mask site's), each mask preconnect one.
/// </summary>
/// <remarks>
/// A process out of descriptors fails more than its accepts: the JIT runtime cannot start a thread (it takes a pipe)
/// and stops with "Out of memory". So the limits are held to what fits instead: clients wait in the backlog.
/// </remarks>
public sealed record DescriptorBudget(long Limit, int OpenAtStart)
{
    // The admin listener alone may hold 64 connections; threads started later (the JIT runtime takes descriptors for
    // each), middle-end connections and the files the proxy writes share the rest.
    internal const int Reserve = 128;

    /// <summary>What clients and mask preconnects may hold at once.</summary>
    public long Available => Math.Max(0, Limit - OpenAtStart - Reserve);

    /// <summary>
    /// <paramref name="limits"/> as they are when they fit, else with max_connections and max_mask_preconnects lowered
    /// until they do (preconnects to at most a quarter of the budget, at least one connection).
    /// </summary>
    public LimitOptions Fit(LimitOptions limits)
    {
        var available = Available;
        if ((2L * limits.MaxConnections) + limits.MaxMaskPreconnects <= available)
        {
            return limits;
        }

        var preconnects = (int)Math.Min(limits.MaxMaskPreconnects, available / 4);
        var connections = (int)Math.Clamp((available - preconnects) / 2, 1, limits.MaxConnections);
        return limits with { MaxConnections = connections, MaxMaskPreconnects = preconnects };
    }
}
