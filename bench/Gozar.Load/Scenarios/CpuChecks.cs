using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Gozar.Load.Measure;
using Gozar.Load.Wire;
using Gozar.Protocol.Crypto;
using Gozar.Protocol.FakeTls;
using Gozar.Relay;

namespace Gozar.Load.Scenarios;

/// <summary>
/// Checks that need no proxy process: AES-256-CTR speed on one core (Gozar's AesCtr as the relay runs it, its managed
/// AES-NI path alone, and the system's libcrypto and libgcrypt called directly), and bytes allocated per relayed chunk
/// by the processors and by a real <see cref="Pump"/>.
/// </summary>
public static class CpuChecks
{
    private const int AesChunk = 16 * 1024;
    private const int RelayChunk = 64 * 1024;

    public static IEnumerable<ScenarioResult> Aes(TimeSpan duration)
    {
        var key = new byte[AesCtr.KeySize];
        var iv = new byte[AesCtr.IvSize];
        key[0] = 1;
        var buffer = new byte[AesChunk];
        using var first = new AesCtr(key, iv);
        using var managed = new AesCtr(key, iv, forcePortable: false, allowNative: false);
        key[1] = 2;
        using var second = new AesCtr(key, iv);
        using var managedSecond = new AesCtr(key, iv, forcePortable: false, allowNative: false);
        using var libcrypto = LibCryptoCtr.Create(key, iv) ?? throw new InvalidOperationException("The load side needs libcrypto.so.3.");

        yield return Row("aes", "gozar-16KiB", Rate(duration, () => first.Transform(buffer)), $"AesCtr as the relay runs it (bulk chunks: {NativeCtr.Library ?? "managed"}), one stream");
        yield return Row("aes", "gozar-twice-16KiB", 2 * Rate(duration, () => AesCtr.TransformTwice(first, second, buffer, buffer)), "TransformTwice as the relay runs it, both streams counted");
        yield return Row("aes", "managed-16KiB", Rate(duration, () => managed.Transform(buffer)), "managed AES-NI only, one stream");
        yield return Row("aes", "managed-twice-16KiB", 2 * Rate(duration, () => AesCtr.TransformTwice(managed, managedSecond, buffer, buffer)), "managed fused TransformTwice, both streams counted");
        yield return Row("aes", "libcrypto-16KiB", Rate(duration, () => libcrypto.Transform(buffer)), "EVP_aes_256_ctr through P/Invoke");
        using var libgcrypt = LibGcryptCtr.Create(key, 0);
        if (libgcrypt is not null)
        {
            yield return Row("aes", "libgcrypt-16KiB", Rate(duration, () => libgcrypt.Transform(buffer)), $"{LibGcryptCtr.Description} through P/Invoke");
        }
    }

    /// <summary>Bytes allocated per chunk by each processor, then by a pump relaying between loopback sockets.</summary>
    public static IEnumerable<ScenarioResult> Allocations()
    {
        var key = new byte[AesCtr.KeySize];
        var iv = new byte[AesCtr.IvSize];
        using var a = new AesCtr(key, iv);
        key[0] = 1;
        using var b = new AesCtr(key, iv);

        var buffer = new byte[RelayChunk + TlsRecordWriter.HeaderLength];
        var records = new byte[RelayChunk];
        var recordBytes = FillRecords(records, 2878);

        var obfuscated = new ObfuscatedProcessor(a, b);
        yield return Row("alloc", "ObfuscatedProcessor", PerCall(() => obfuscated.Process(buffer, RelayChunk, out _, out _), () => { }), "per Process call");
        var unwrap = new TlsUnwrapProcessor(new TlsRecordReader(), a, b);
        yield return Row("alloc", "TlsUnwrapProcessor", PerCall(() => unwrap.Process(buffer, recordBytes, out _, out _), () => records.AsSpan(0, recordBytes).CopyTo(buffer)), "per Process call");
        var wrap = new TlsWrapProcessor(a, b);
        yield return Row("alloc", "TlsWrapProcessor", PerCall(() => wrap.Process(buffer, wrap.MaxReceive(RelayChunk), out _, out _), () => { }), "per Process call");
        var fastWrap = new TlsWrapProcessor(null, null);
        yield return Row("alloc", "TlsWrapProcessor-fast", PerCall(() => fastWrap.Process(buffer, fastWrap.MaxReceive(RelayChunk), out _, out _), () => { }), "per Process call");
        yield return Row("alloc", "Pump", PumpAllocations(new ObfuscatedProcessor(a, b)), "B per 64 KiB relayed between loopback sockets");
    }

    private static ScenarioResult Row(string label, string scenario, double value, string note) =>
        new(label, scenario, value, label == "aes" ? "MB/s" : "B/chunk", 0, 0, 0, 0, 0, note);

    private static double Rate(TimeSpan duration, Action transform)
    {
        for (var i = 0; i < 1000; i++)
        {
            transform();
        }

        long bytes = 0;
        var started = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(started) < duration)
        {
            for (var i = 0; i < 64; i++)
            {
                transform();
            }

            bytes += 64 * AesChunk;
        }

        return bytes / Stopwatch.GetElapsedTime(started).TotalSeconds / 1e6;
    }

    private static double PerCall(Func<bool> process, Action refill)
    {
        const int Calls = 20_000;
        for (var i = 0; i < 1000; i++)
        {
            refill();
            process();
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Calls; i++)
        {
            refill();
            process();
        }

        return (GC.GetAllocatedBytesForCurrentThread() - before) / (double)Calls;
    }

    /// <summary>Writes records of at most <paramref name="payload"/> bytes into <paramref name="destination"/>; returns the bytes used.</summary>
    private static int FillRecords(byte[] destination, int payload)
    {
        var written = 0;
        while (written + TlsRecordWriter.HeaderLength + payload <= destination.Length)
        {
            TlsRecordWriter.BeginRecord(payload, payload, destination.AsSpan(written));
            written += TlsRecordWriter.HeaderLength + payload;
        }

        return written;
    }

    /// <summary>
    /// A pump between two loopback connections, fed and drained by threads that allocate nothing; every byte the
    /// process allocates while it moves the chunks is charged to the pump.
    /// </summary>
    private static double PumpAllocations(ChunkProcessor processor)
    {
        const int Chunks = 4000;
        var (feed, from) = Pair();
        var (to, drain) = Pair();
        using (feed)
        using (from)
        using (to)
        using (drain)
        {
            using var lane = new SocketLane();
            var ended = new PumpEndSignal();
            var pump = new Pump(lane, from, to, processor, new SessionActivity(TimeProvider.System), RelayChunk, ended);
            pump.Start();
            var drained = new Thread(() =>
            {
                var sink = new byte[RelayChunk];
                while (drain.Receive(sink) > 0)
                {
                }
            });
            drained.Start();

            var chunk = new byte[RelayChunk];
            for (var i = 0; i < 200; i++)
            {
                feed.Send(chunk);
            }

            Thread.Sleep(200);
            var before = GC.GetTotalAllocatedBytes(precise: true);
            for (var i = 0; i < Chunks; i++)
            {
                feed.Send(chunk);
            }

            while (pump.Bytes < (long)(Chunks + 200) * RelayChunk)
            {
                Thread.Sleep(1);
            }

            var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
            feed.Shutdown(SocketShutdown.Send);
            ended.Task.GetAwaiter().GetResult();
            drained.Join();

            // Per 64 KiB fed: the pump's receives may cut the stream differently.
            return allocated / (double)Chunks;
        }
    }

    private sealed class PumpEndSignal : IPumpOwner
    {
        private readonly TaskCompletionSource<PumpEnd> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<PumpEnd> Task => _ended.Task;

        public void PumpEnded(Pump pump, PumpEnd end) => _ended.TrySetResult(end);
    }

    private static (Socket Client, Socket Server) Pair()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.Connect(listener.LocalEndPoint!);
        return (client, listener.Accept());
    }
}
