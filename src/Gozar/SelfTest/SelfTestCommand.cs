using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using Gozar.Configuration;
using Gozar.Hosting;
using Gozar.Protocol.Framing;
using Gozar.Sessions;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gozar.SelfTest;

/// <summary>
/// `gozar selftest`: in one process and on loopback only, a proxy, an echoing fake DC and a client for every
/// mode × transport; each client sends framed packets, reads them back and checks every byte.
/// </summary>
public static class SelfTestCommand
{
    private const string Domain = "selftest.example";
    private const int BulkBytes = 256 * 1024;

    private static readonly (string Mode, ProtocolTag Tag, bool Tls)[] Cases =
    [
        ("classic", ProtocolTag.Abridged, false),
        ("classic", ProtocolTag.Intermediate, false),
        ("classic", ProtocolTag.PaddedIntermediate, false),
        ("secure", ProtocolTag.PaddedIntermediate, false),
        ("tls", ProtocolTag.PaddedIntermediate, true),
    ];

    public static async Task<int> RunAsync(TextWriter output, CancellationToken cancellation)
    {
        await using var dc = new EchoDc();
        var key = RandomNumberGenerator.GetBytes(16);
        var results = new List<(string Mode, string Transport, bool FastMode, string Result)>();
        foreach (var fastMode in new[] { true, false })
        {
            var options = Options(dc.Port, key, fastMode);
            var server = ProxyServer.TryStart(options, new ProxyEnvironment(NullLoggerFactory.Instance), out var error);
            if (server is null)
            {
                output.WriteLine($"selftest: cannot start the proxy: {error}");
                return 1;
            }

            await using (server.ConfigureAwait(false))
            {
                foreach (var (mode, tag, tls) in Cases)
                {
                    var result = await RunCaseAsync(server.Endpoints[0], key, tag, tls, cancellation).ConfigureAwait(false);
                    results.Add((mode, tag.ToString(), fastMode, result));
                }
            }
        }

        output.WriteLine("| mode    | transport          | fast mode | result |");
        output.WriteLine("|---------|--------------------|-----------|--------|");
        foreach (var (mode, transport, fastMode, result) in results)
        {
            output.WriteLine($"| {mode,-7} | {transport,-18} | {(fastMode ? "on" : "off"),-9} | {result} |");
        }

        var failed = results.Count(r => !r.Result.StartsWith("ok", StringComparison.Ordinal));
        output.WriteLine(failed == 0 ? $"selftest: all {results.Count} cases passed" : $"selftest: {failed} of {results.Count} cases FAILED");
        return failed == 0 ? 0 : 1;
    }

    private static async Task<string> RunCaseAsync(IPEndPoint proxy, byte[] key, ProtocolTag tag, bool tls, CancellationToken cancellation)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        var watch = Stopwatch.StartNew();
        try
        {
            await using var client = await SelfTestClient.ConnectAsync(proxy, key, tag, 2, tls ? Domain : null, timeout.Token)
                .ConfigureAwait(false);
            var moved = 0L;
            foreach (var batch in Batches())
            {
                var (stream, packets) = FrameBatch(tag, batch);
                var echo = client.ReceiveAsync(stream.Length, timeout.Token);
                await client.SendAsync(stream, timeout.Token).ConfigureAwait(false);
                var received = await echo.ConfigureAwait(false);
                if (!Verify(tag, received, packets))
                {
                    return "FAILED: data came back changed";
                }

                moved += stream.Length;
            }

            return $"ok ({moved / 1024} KiB each way, {watch.ElapsedMilliseconds} ms)";
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            return "FAILED: timed out";
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or InvalidDataException)
        {
            return $"FAILED: {e.Message}";
        }
    }

    private static IEnumerable<int[]> Batches()
    {
        yield return [8, 4, 512, 508, 1024];
        yield return Enumerable.Repeat(16, 100).ToArray();
        yield return Enumerable.Repeat(4096, BulkBytes / 4096).ToArray();
    }

    private static (byte[] Stream, List<byte[]> Packets) FrameBatch(ProtocolTag tag, int[] lengths)
    {
        var stream = new MemoryStream();
        var packets = new List<byte[]>();
        var frame = new byte[FrameEncoder.MaxHeaderLength + 64 * 1024 + FrameEncoder.MaxClientPadding];
        foreach (var length in lengths)
        {
            var packet = RandomNumberGenerator.GetBytes(length);
            var padding = tag == ProtocolTag.PaddedIntermediate
                ? RandomNumberGenerator.GetBytes(RandomNumberGenerator.GetInt32(FrameEncoder.MaxClientPadding + 1))
                : [];
            var written = FrameEncoder.WriteFrame(tag, FrameDirection.ClientToServer, packet, padding, quickAck: false, frame);
            stream.Write(frame, 0, written);
            packets.Add(packet);
        }

        return (stream.ToArray(), packets);
    }

    private static bool Verify(ProtocolTag tag, ReadOnlySpan<byte> stream, List<byte[]> packets)
    {
        foreach (var packet in packets)
        {
            var frame = FrameDecoder.Decode(tag, FrameDirection.ClientToServer, stream);
            if (frame.Status != FrameStatus.Frame ||
                !stream.Slice(frame.HeaderLength, frame.PacketLength)[..packet.Length].SequenceEqual(packet))
            {
                return false;
            }

            stream = stream[frame.FrameLength..];
        }

        return stream.IsEmpty;
    }

    private static ProxyOptions Options(int dcPort, byte[] key, bool fastMode) => new()
    {
        Listen = [new IPEndPoint(IPAddress.Loopback, 0)],
        Modes = new ModeOptions(Classic: true, Secure: true, Tls: true),
        Tls = new TlsOptions { Domains = [Domain], MaskHost = new HostEndpoint("127.0.0.1", dcPort) },
        Users = [new UserOptions("selftest", key)],
        Upstream = new UpstreamOptions
        {
            DcOverrides = new Dictionary<string, IReadOnlyList<HostEndpoint>> { ["*"] = [new HostEndpoint("127.0.0.1", dcPort)] },
            FastMode = fastMode,
        },
        Timeouts = new TimeoutOptions(),
        Limits = new LimitOptions(),
        Log = new LogOptions(),
    };
}
