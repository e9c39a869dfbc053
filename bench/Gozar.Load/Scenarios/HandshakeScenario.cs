using System.Diagnostics;
using Gozar.Load.Client;
using Gozar.Load.Measure;
using Gozar.Load.Wire;

namespace Gozar.Load.Scenarios;

/// <summary>
/// New connections per second with a fixed number in flight: connect, handshake, first message and its echo, close.
/// </summary>
public static class HandshakeScenario
{
    public static async Task<ScenarioResult> RunAsync(
        ScenarioContext context, int inFlight, TimeSpan warmUp, TimeSpan duration, CancellationToken cancellation)
    {
        var latencies = new LatencyRecorder(4_000_000);
        var window = new MeasureWindow(warmUp, duration);
        var cpu = context.NewCpuWatch();
        var failures = new int[1];
        var workers = new Task[inFlight];
        for (var i = 0; i < inFlight; i++)
        {
            workers[i] = WorkerAsync(context.Target, i, window, latencies, failures, cancellation);
        }

        await Task.Delay(warmUp, cancellation).ConfigureAwait(false);
        cpu.Start();
        await Task.WhenAll(workers).ConfigureAwait(false);
        var usage = cpu.Stop();
        var note = failures[0] == 0 ? "verified" : $"{failures[0]} FAILED";
        return context.Result(
            "handshakes", latencies.Count / duration.TotalSeconds, "connections/s", usage, note,
            latencies.PercentileMicroseconds(50), latencies.PercentileMicroseconds(99));
    }

    private static async Task WorkerAsync(
        LoadTarget target, int worker, MeasureWindow window, LatencyRecorder latencies, int[] failures, CancellationToken cancellation)
    {
        var scratch = new byte[EchoScenario.MessageBytes];
        var offset = 700 + (worker * 37);
        while (!window.IsOver)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                var command = new Command(CommandKind.Echo, offset, Upload: 0, Download: 0);
                using var connection = await LoadConnection.OpenAsync(target, command, EchoScenario.MessageBytes, ScenarioContext.SmallChunk, cancellation)
                    .ConfigureAwait(false);
                if (!await connection.ReceivePatternAsync(offset, EchoScenario.MessageBytes, scratch, cancellation).ConfigureAwait(false))
                {
                    Interlocked.Increment(ref failures[0]);
                    continue;
                }
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException)
            {
                if (Interlocked.Increment(ref failures[0]) == 1)
                {
                    await Console.Error.WriteLineAsync($"first handshake failure: {e.GetType().Name}: {e.Message}").ConfigureAwait(false);
                }

                continue;
            }

            if (window.Contains(started))
            {
                latencies.Record(started);
            }
        }
    }
}
