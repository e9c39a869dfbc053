using System.Diagnostics;
using System.Net.Sockets;
using Gozar.Load.Client;
using Gozar.Load.Wire;

namespace Gozar.Load.Scenarios;

/// <summary>
/// The legitimate side of a soak: clients in every mode (ee, dd, classic in turn) whose every echoed byte is checked
/// against the pattern they sent.
/// </summary>
public static class SoakClients
{
    /// <summary>Longest frame a client sends; one frame fits the connection's buffers.</summary>
    public const int MaxFrame = ScenarioContext.SmallChunk;

    /// <summary>One connection attempt or round trip taking longer than this counts as an error.</summary>
    public static readonly TimeSpan OperationTimeout = TimeSpan.FromSeconds(30);

    private static readonly Transport[] Modes = [Transport.Tls, Transport.Secure, Transport.Classic];

    public static LoadTarget InMode(LoadTarget target, int turn) => target with { Transport = Modes[turn % Modes.Length] };

    /// <summary>Connects, echoes <paramref name="frames"/> frames of random length (the first sent with the init), closes.</summary>
    public static async Task ConnectEchoCloseAsync(
        LoadTarget target, SoakClient kind, int frames, int maxFrame, int seed, SoakCounters counters)
    {
        var random = new Random(seed);
        var offset = random.Next(Pattern.Period);
        var scratch = new byte[maxFrame];
        using var timeout = new CancellationTokenSource(OperationTimeout);
        var started = Stopwatch.GetTimestamp();
        try
        {
            long position = offset;
            var length = random.Next(1, maxFrame + 1);
            var command = new Command(CommandKind.Echo, offset, Upload: 0, Download: 0);
            using var connection = await LoadConnection.OpenAsync(target, command, length, MaxFrame, timeout.Token).ConfigureAwait(false);
            for (var frame = 0; ; frame++)
            {
                if (!await EchoedAsync(connection, position, length, scratch, kind, counters, started, timeout.Token).ConfigureAwait(false))
                {
                    return;
                }

                position += length;
                if (frame + 1 == frames)
                {
                    break;
                }

                length = random.Next(1, maxFrame + 1);
                connection.StagePattern(position, length);
                await connection.FlushAsync(timeout.Token).ConfigureAwait(false);
            }

            counters.Completed(kind);
        }
        catch (Exception e) when (IsConnectionFailure(e))
        {
            counters.Error(kind, Describe(e, started));
        }
    }

    /// <summary>
    /// One client that stays connected until <paramref name="stop"/>, echoing a frame every
    /// <paramref name="interval"/>. A failure is counted and the client reconnects, so that the soak still measures
    /// the rest of the run; the gap it leaves shows in the longest time between two successful round trips.
    /// </summary>
    public static async Task LongLivedAsync(
        LoadTarget target, int index, TimeSpan interval, int maxFrame, SoakCounters counters, CancellationToken stop)
    {
        var random = new Random(index);
        var scratch = new byte[maxFrame];
        var lastSuccess = Stopwatch.GetTimestamp();
        try
        {
            await ServeAsync().ConfigureAwait(false);
        }
        finally
        {
            // A client that stopped being served for good leaves no later round trip to measure its gap against.
            counters.LongLivedGap(Stopwatch.GetTimestamp() - lastSuccess);
        }

        async Task ServeAsync()
        {
            while (!stop.IsCancellationRequested)
            {
                var offset = random.Next(Pattern.Period);
                long position = offset;
                try
                {
                    LoadConnection connection;
                    using (var opening = new CancellationTokenSource(OperationTimeout))
                    {
                        var command = new Command(CommandKind.Echo, offset, Upload: 0, Download: 0);
                        connection = await LoadConnection.OpenAsync(target, command, 0, MaxFrame, opening.Token).ConfigureAwait(false);
                    }

                    using (connection)
                    {
                        while (!stop.IsCancellationRequested)
                        {
                            var length = random.Next(1, maxFrame + 1);
                            using (var roundTrip = new CancellationTokenSource(OperationTimeout))
                            {
                                connection.StagePattern(position, length);
                                await connection.FlushAsync(roundTrip.Token).ConfigureAwait(false);
                                if (!await connection.ReceivePatternAsync(position, length, scratch, roundTrip.Token).ConfigureAwait(false))
                                {
                                    counters.Mismatch(SoakClient.LongLived);
                                    counters.LongLivedDropped();
                                    break;
                                }
                            }

                            position += length;
                            var now = Stopwatch.GetTimestamp();
                            counters.LongLivedGap(now - lastSuccess);
                            lastSuccess = now;
                            counters.Completed(SoakClient.LongLived);
                            if (!await DelayAsync(interval, stop).ConfigureAwait(false))
                            {
                                return;
                            }
                        }
                    }
                }
                catch (Exception e) when (IsConnectionFailure(e))
                {
                    counters.Error(SoakClient.LongLived, Describe(e, lastSuccess));
                    counters.LongLivedDropped();
                    if (!await DelayAsync(interval, stop).ConfigureAwait(false))
                    {
                        return;
                    }
                }
            }
        }
    }

    /// <summary>
    /// Receives the echo of pattern bytes [position, position + length) and checks it; false, counted, when the bytes
    /// differ (a mismatch) or the connection ended first (an error: the proxy closed it).
    /// </summary>
    private static async Task<bool> EchoedAsync(
        LoadConnection connection, long position, int length, byte[] scratch, SoakClient kind, SoakCounters counters, long started, CancellationToken cancellation)
    {
        while (length > 0)
        {
            var received = await connection.ReceiveAsync(scratch.AsMemory(0, Math.Min(length, scratch.Length)), cancellation).ConfigureAwait(false);
            if (received == 0)
            {
                counters.Error(kind, $"closed by the proxy with {length} echoed bytes still due, {Stopwatch.GetElapsedTime(started).TotalMilliseconds:0} ms in");
                return false;
            }

            if (!Pattern.Matches(position, scratch.AsSpan(0, received)))
            {
                counters.Mismatch(kind);
                return false;
            }

            position += received;
            length -= received;
        }

        return true;
    }

    private static string Describe(Exception e, long started) =>
        $"{e.GetType().Name}: {e.Message}, {Stopwatch.GetElapsedTime(started).TotalMilliseconds:0} ms in";

    /// <summary>Waits; false when <paramref name="stop"/> came first.</summary>
    public static async Task<bool> DelayAsync(TimeSpan delay, CancellationToken stop)
    {
        try
        {
            await Task.Delay(delay, stop).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public static bool IsConnectionFailure(Exception e) =>
        e is SocketException or IOException or OperationCanceledException or InvalidDataException;
}
