using System.Diagnostics;
using Gozar.Load.Client;
using Gozar.Load.Measure;
using Gozar.Load.Wire;

namespace Gozar.Load.Scenarios;

/// <summary>Closed-loop round trips of small messages over already open connections: rate and latency.</summary>
public static class EchoScenario
{
    public const int MessageBytes = 256;

    public static async Task<ScenarioResult> RunAsync(
        ScenarioContext context, int connections, TimeSpan warmUp, TimeSpan duration, CancellationToken cancellation)
    {
        var opened = new LoadConnection[connections];
        for (var i = 0; i < connections; i++)
        {
            var command = new Command(CommandKind.Echo, Offset: 500 + (i * 131), Upload: 0, Download: 0);
            opened[i] = await LoadConnection.OpenAsync(context.Target, command, 0, ScenarioContext.SmallChunk, cancellation)
                .ConfigureAwait(false);
        }

        try
        {
            var latencies = new LatencyRecorder(4_000_000);
            var window = new MeasureWindow(warmUp, duration);
            var cpu = context.NewCpuWatch();
            var loops = new Task<bool>[connections];
            for (var i = 0; i < connections; i++)
            {
                loops[i] = LoopAsync(opened[i], 500 + (i * 131), window, latencies, cancellation);
            }

            await Task.Delay(warmUp, cancellation).ConfigureAwait(false);
            cpu.Start();
            var results = await Task.WhenAll(loops).ConfigureAwait(false);
            var usage = cpu.Stop();
            var ok = Array.TrueForAll(results, r => r);
            return context.Result(
                $"echo{connections}", latencies.Count / duration.TotalSeconds, "round trips/s", usage, ok ? "verified" : "MISMATCH",
                latencies.PercentileMicroseconds(50), latencies.PercentileMicroseconds(99));
        }
        finally
        {
            Array.ForEach(opened, c => c.Dispose());
        }
    }

    private static async Task<bool> LoopAsync(
        LoadConnection connection, long position, MeasureWindow window, LatencyRecorder latencies, CancellationToken cancellation)
    {
        var scratch = new byte[MessageBytes];
        while (!window.IsOver)
        {
            var started = Stopwatch.GetTimestamp();
            connection.StagePattern(position, MessageBytes);
            await connection.FlushAsync(cancellation).ConfigureAwait(false);
            if (!await connection.ReceivePatternAsync(position, MessageBytes, scratch, cancellation).ConfigureAwait(false))
            {
                return false;
            }

            position += MessageBytes;
            if (window.Contains(started))
            {
                latencies.Record(started);
            }
        }

        return true;
    }
}

/// <summary>A warm-up period followed by the measured period, both from construction.</summary>
public sealed class MeasureWindow
{
    private readonly long _from;
    private readonly long _to;

    public MeasureWindow(TimeSpan warmUp, TimeSpan duration)
    {
        var now = Stopwatch.GetTimestamp();
        _from = now + (long)(warmUp.TotalSeconds * Stopwatch.Frequency);
        _to = _from + (long)(duration.TotalSeconds * Stopwatch.Frequency);
    }

    public bool IsOver => Stopwatch.GetTimestamp() >= _to;

    public bool Contains(long timestamp) => timestamp >= _from && timestamp < _to;
}
