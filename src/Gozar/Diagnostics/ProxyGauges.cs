using System.Diagnostics;
using System.Diagnostics.Metrics;
using Gozar.Sessions;

namespace Gozar.Diagnostics;

/// <summary>
/// Instruments read at scrape time from a running proxy: sessions alive by user and mode, open connections and
/// handshakes, the replay caches, and the process's memory, CPU time and start time.
/// </summary>
public static class ProxyGauges
{
    public static void Register(Meter meter, Func<SessionContext> current)
    {
        var started = new DateTimeOffset(Process.GetCurrentProcess().StartTime.ToUniversalTime()).ToUnixTimeMilliseconds() / 1000.0;
        meter.CreateObservableGauge("gozar_sessions_active", () => ObserveActive(current().Registry), description: "Sessions open now, by user and mode (user \"-\": not authenticated yet or masked)");
        meter.CreateObservableGauge("gozar_connections_open", () => current().Registry.Count, description: "Client connections open now");
        meter.CreateObservableGauge("gozar_handshakes_in_progress", () => current().Registry.Sessions.Count(session => session.InHandshake), description: "Client connections still in their handshake");
        meter.CreateObservableGauge("gozar_mask_preconnects_open", () => current().MaskPreconnects, description: "Mask-site connections opened in advance");
        meter.CreateObservableGauge("gozar_replay_cache_entries", () => ObserveReplayEntries(current()), description: "Handshakes remembered against replays, by kind (tls: hello randoms, obfuscated2: inits)");
        meter.CreateObservableCounter(
            "gozar_replay_cache_early_evictions", () => current().Replay.EarlyEvictions,
            description: "Times the hello replay cache was full before its clock-skew window passed: raise tls.replay_cache_entries");
        meter.CreateObservableGauge("gozar_process_resident_memory_bytes", () => Environment.WorkingSet, unit: "By", description: "Resident set size of the process");
        meter.CreateObservableGauge("gozar_process_managed_memory_bytes", () => GC.GetTotalMemory(forceFullCollection: false), unit: "By", description: "Bytes allocated on the managed heap");
        meter.CreateObservableCounter("gozar_process_cpu_seconds", () => Environment.CpuUsage.TotalTime.TotalSeconds, unit: "s", description: "CPU time used by the process, user and system");
        meter.CreateObservableGauge("gozar_process_start_time_seconds", () => started, unit: "s", description: "Start of the process, seconds since the Unix epoch");
    }

    private static Measurement<long>[] ObserveReplayEntries(SessionContext context) =>
    [
        new(context.Replay.Count, new KeyValuePair<string, object?>("kind", "tls")),
        new(context.InitReplay.Count, new KeyValuePair<string, object?>("kind", "obfuscated2")),
    ];

    private static IEnumerable<Measurement<long>> ObserveActive(SessionRegistry registry)
    {
        var counts = new Dictionary<(string User, ClientMode Mode), long>();
        foreach (var session in registry.Sessions)
        {
            var key = (session.User, session.Mode);
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }

        foreach (var ((user, mode), count) in counts)
        {
            yield return new Measurement<long>(count, new("user", user), new("mode", GozarMetrics.ModeName(mode)));
        }
    }
}
