using System.Diagnostics;
using Gozar.Load.Client;
using Gozar.Load.Wire;

namespace Gozar.Load.Scenarios;

/// <summary>Throughput: one connection uploading or downloading, and several connections doing both at once.</summary>
public static class BulkScenarios
{
    private const double Mebibyte = 1024 * 1024;

    /// <summary>Client → DC over one connection; timed until the DC confirms it checked every byte.</summary>
    public static async Task<Measure.ScenarioResult> UploadAsync(ScenarioContext context, long bytes, CancellationToken cancellation)
    {
        var command = new Command(CommandKind.Stream, Offset: 101, Upload: bytes, Download: 0);
        using var connection = await LoadConnection.OpenAsync(context.Target, command, 0, ScenarioContext.BulkChunk, cancellation)
            .ConfigureAwait(false);
        var cpu = context.NewCpuWatch();
        cpu.Start();
        var started = Stopwatch.GetTimestamp();
        var ok = await TransferAsync(connection, command, cancellation).ConfigureAwait(false);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return context.Result("upload", bytes / Mebibyte / seconds, "MiB/s", cpu.Stop(), ok ? "verified" : "MISMATCH");
    }

    /// <summary>DC → client over one connection; every byte checked on arrival, as plaintext or as ciphertext.</summary>
    public static async Task<Measure.ScenarioResult> DownloadAsync(
        ScenarioContext context, long bytes, DownloadCheck check, CancellationToken cancellation)
    {
        var command = new Command(CommandKind.Stream, Offset: 202, Upload: 0, Download: bytes, check);
        using var connection = await LoadConnection.OpenAsync(context.Target, command, 0, ScenarioContext.BulkChunk, cancellation)
            .ConfigureAwait(false);
        if (check == DownloadCheck.Ciphertext)
        {
            connection.StopDecryptingAfter(Command.DecryptedPrefix);
        }

        var cpu = context.NewCpuWatch();
        cpu.Start();
        var started = Stopwatch.GetTimestamp();
        var ok = await TransferAsync(connection, command, cancellation).ConfigureAwait(false);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return context.Result("download", bytes / Mebibyte / seconds, "MiB/s", cpu.Stop(), ok ? "verified" : "MISMATCH");
    }

    /// <summary>Several connections each uploading and downloading <paramref name="bytesEachWay"/> at the same time.</summary>
    public static async Task<Measure.ScenarioResult> DuplexAsync(
        ScenarioContext context, int connections, long bytesEachWay, CancellationToken cancellation)
    {
        var opened = new LoadConnection[connections];
        var commands = new Command[connections];
        for (var i = 0; i < connections; i++)
        {
            commands[i] = new Command(CommandKind.Stream, Offset: 300 + (i * 977), Upload: bytesEachWay, Download: bytesEachWay);
            opened[i] = await LoadConnection.OpenAsync(context.Target, commands[i], 0, ScenarioContext.BulkChunk, cancellation)
                .ConfigureAwait(false);
        }

        try
        {
            var cpu = context.NewCpuWatch();
            cpu.Start();
            var started = Stopwatch.GetTimestamp();
            var transfers = new Task<bool>[connections];
            for (var i = 0; i < connections; i++)
            {
                transfers[i] = TransferAsync(opened[i], commands[i], cancellation);
            }

            var results = await Task.WhenAll(transfers).ConfigureAwait(false);
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var ok = Array.TrueForAll(results, r => r);
            var total = 2.0 * connections * bytesEachWay;
            return context.Result($"duplex{connections}", total / Mebibyte / seconds, "MiB/s", cpu.Stop(), ok ? "verified" : "MISMATCH");
        }
        finally
        {
            Array.ForEach(opened, c => c.Dispose());
        }
    }

    /// <summary>Sends the command's upload bytes while receiving its download bytes and the DC's verdict.</summary>
    private static async Task<bool> TransferAsync(LoadConnection connection, Command command, CancellationToken cancellation)
    {
        var sending = SendAsync(connection, command, cancellation);
        var scratch = new byte[ScenarioContext.BulkChunk];
        var ok = await connection.ReceivePatternAsync(command.Offset, command.Download, scratch, cancellation).ConfigureAwait(false);
        await sending.ConfigureAwait(false);
        if (command.Upload > 0)
        {
            ok &= await connection.ReceiveExactlyAsync(scratch.AsMemory(0, 1), cancellation).ConfigureAwait(false)
                && scratch[0] == Command.StatusOk;
        }

        return ok;
    }

    private static async Task SendAsync(LoadConnection connection, Command command, CancellationToken cancellation)
    {
        for (long sent = 0; sent < command.Upload;)
        {
            var length = (int)Math.Min(connection.ChunkCapacity, command.Upload - sent);
            connection.StagePattern(command.Offset + sent, length);
            await connection.FlushAsync(cancellation).ConfigureAwait(false);
            sent += length;
        }
    }
}
