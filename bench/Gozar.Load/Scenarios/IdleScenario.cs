using Gozar.Load.Client;
using Gozar.Load.Measure;
using Gozar.Load.Wire;

namespace Gozar.Load.Scenarios;

/// <summary>
/// Memory per idle authenticated connection: the target's RSS before and after opening many connections (each with a
/// first echo, so the relay to the DC is up), held idle; then every connection must still echo.
/// </summary>
public static class IdleScenario
{
    private const int MessageBytes = 64;
    private const int OpenInFlight = 100;
    private const int WarmUpConnections = 1000;
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(5);

    public static async Task<ScenarioResult> RunAsync(ScenarioContext context, int count, TimeSpan hold, CancellationToken cancellation)
    {
        // Warm-up with the same concurrency, so that one-off costs (buffer pools sized for 100 handshakes in flight, code,
        // the first GCs) are in the baseline rather than in the per-connection figure.
        var warm = await OpenManyAsync(context.Target, WarmUpConnections, cancellation).ConfigureAwait(false);
        Array.ForEach(warm.Connections, c => c?.Dispose());

        // Longer than a target may wait before it tidies up after a burst (Gozar's timeouts.memory_trim, 2 s, checked
        // each second): the baseline is then read in the state the held reading is, not in between.
        await Task.Delay(Settle, cancellation).ConfigureAwait(false);

        var before = ProcessStats.RssKib(context.TargetPid);
        var cpu = context.NewCpuWatch();
        cpu.Start();
        var opened = await OpenManyAsync(context.Target, count, cancellation).ConfigureAwait(false);
        try
        {
            await Task.Delay(hold, cancellation).ConfigureAwait(false);
            var held = ProcessStats.RssKib(context.TargetPid);
            var alive = await CountAliveAsync(opened.Connections, cancellation).ConfigureAwait(false);
            var usage = cpu.Stop();
            var perConnection = (held - before) / (double)count;
            var note = $"{alive}/{count} alive after {hold.TotalSeconds:0}s; RSS {before / 1024.0:0.0} -> {held / 1024.0:0.0} MiB";
            if (opened.Failures > 0)
            {
                note += $"; {opened.Failures} FAILED to open";
            }

            return context.Result($"idle{count}", perConnection, "KiB/conn", usage, note);
        }
        finally
        {
            Array.ForEach(opened.Connections, c => c?.Dispose());
        }
    }

    private static async Task<(LoadConnection?[] Connections, int Failures)> OpenManyAsync(
        LoadTarget target, int count, CancellationToken cancellation)
    {
        var connections = new LoadConnection?[count];
        var next = -1;
        var failures = 0;
        async Task OpenSomeAsync()
        {
            var scratch = new byte[MessageBytes];
            int index;
            while ((index = Interlocked.Increment(ref next)) < count)
            {
                var offset = index % Pattern.Period;
                try
                {
                    var command = new Command(CommandKind.Echo, offset, Upload: 0, Download: 0);
                    var connection = await LoadConnection.OpenAsync(target, command, MessageBytes, ScenarioContext.SmallChunk, cancellation)
                        .ConfigureAwait(false);
                    connections[index] = connection;
                    if (!await connection.ReceivePatternAsync(offset, MessageBytes, scratch, cancellation).ConfigureAwait(false))
                    {
                        Interlocked.Increment(ref failures);
                    }
                }
                catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        }

        var workers = new Task[OpenInFlight];
        for (var i = 0; i < workers.Length; i++)
        {
            workers[i] = OpenSomeAsync();
        }

        await Task.WhenAll(workers).ConfigureAwait(false);
        return (connections, failures);
    }

    /// <summary>Sends one more message on every connection and counts the ones that echo it correctly.</summary>
    private static async Task<int> CountAliveAsync(LoadConnection?[] connections, CancellationToken cancellation)
    {
        var next = -1;
        var alive = 0;
        async Task CheckSomeAsync()
        {
            var scratch = new byte[MessageBytes];
            int index;
            while ((index = Interlocked.Increment(ref next)) < connections.Length)
            {
                if (connections[index] is not { } connection)
                {
                    continue;
                }

                var position = (index % Pattern.Period) + MessageBytes;
                try
                {
                    connection.StagePattern(position, MessageBytes);
                    await connection.FlushAsync(cancellation).ConfigureAwait(false);
                    if (await connection.ReceivePatternAsync(position, MessageBytes, scratch, cancellation).ConfigureAwait(false))
                    {
                        Interlocked.Increment(ref alive);
                    }
                }
                catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException)
                {
                }
            }
        }

        var workers = new Task[OpenInFlight];
        for (var i = 0; i < workers.Length; i++)
        {
            workers[i] = CheckSomeAsync();
        }

        await Task.WhenAll(workers).ConfigureAwait(false);
        return alive;
    }
}
