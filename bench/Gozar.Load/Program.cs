using System.Globalization;
using System.Net;
using Gozar.Load.Client;
using Gozar.Load.Dc;
using Gozar.Load.Measure;
using Gozar.Load.Scenarios;
using Gozar.Load.Wire;

namespace Gozar.Load;

/// <summary>
/// gozar-load: the load side of bench/run.sh.
/// <code>
/// gozar-load dc --port P --plain-port Q
/// gozar-load run --target HOST:PORT --transport tls|secure|classic|plain|upstream --key HEX32 --domain D --label L
///                --scenario upload|download|duplex|echo|handshakes|idle [--bytes N] [--connections N]
///                [--seconds S] [--warmup S] [--dc-pid N] [--target-pid N] [--results FILE] [--timeout S]
///                [--download-check plaintext|ciphertext (download: ciphertext where nothing re-encrypts, see DownloadCheck)]
/// gozar-load run ... --scenario soak --target-pid N --mask-port P [--seconds S (default 600)] [--report FILE.md]
///                --timeout S (longer than the soak) [--metrics-url http://HOST:PORT/metrics --metrics-token T: the
///                proxy's admin /metrics, for its managed heap]
/// gozar-load cpu [--seconds S] [--results FILE]
/// gozar-load table FILE
/// </code>
/// </summary>
public static class LoadProgram
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 0)
        {
            await Console.Error.WriteLineAsync("usage: gozar-load dc|run|cpu|table ...").ConfigureAwait(false);
            return 2;
        }

        var options = Options.Parse(args.AsSpan(1));
        switch (args[0])
        {
            case "dc":
                var dc = new FakeDc(
                    new IPEndPoint(IPAddress.Loopback, options.Int("port", 0)),
                    new IPEndPoint(IPAddress.Loopback, options.Int("plain-port", 0)));
                await Console.Out.WriteLineAsync("fake DC ready").ConfigureAwait(false);
                await dc.RunAsync(CancellationToken.None).ConfigureAwait(false);
                return 0;
            case "run":
                return await RunAsync(options).ConfigureAwait(false);
            case "cpu":
                foreach (var row in CpuChecks.Aes(TimeSpan.FromSeconds(options.Double("seconds", 2))).Concat(CpuChecks.Allocations()).Concat(MiddleAllocations.Rows()))
                {
                    var line = row.ToTsv();
                    await Console.Out.WriteLineAsync(line).ConfigureAwait(false);
                    if (options.Has("results"))
                    {
                        await File.AppendAllTextAsync(options.Text("results", ""), line + "\n").ConfigureAwait(false);
                    }
                }

                return 0;
            case "table":
                await Console.Out.WriteAsync(ReportTable.Render(File.ReadAllLines(options.Positional))).ConfigureAwait(false);
                return 0;
            default:
                await Console.Error.WriteLineAsync($"unknown command {args[0]}").ConfigureAwait(false);
                return 2;
        }
    }

    private static async Task<ScenarioResult> SoakAsync(ScenarioContext context, Options options, CancellationToken cancellation)
    {
        using var heap = new HeapReader(options.Text("metrics-url", ""), options.Text("metrics-token", ""));
        return await SoakScenario.RunAsync(
            context, TimeSpan.FromSeconds(options.Double("seconds", 600)), options.Int("mask-port", 0), heap, options.Text("report", ""),
            cancellation).ConfigureAwait(false);
    }

    private static async Task<int> RunAsync(Options options)
    {
        var transport = Enum.Parse<Transport>(options.Text("transport", "tls"), ignoreCase: true);
        var target = new LoadTarget(
            IPEndPoint.Parse(options.Text("target", "")),
            transport,
            Convert.FromHexString(options.Text("key", new string('0', 32))),
            options.Text("domain", "bench.example"));
        var context = new ScenarioContext(target, options.Text("label", transport.ToString().ToLowerInvariant()), options.Int("dc-pid", 0), options.Int("target-pid", 0));
        var seconds = TimeSpan.FromSeconds(options.Double("seconds", 5));
        var warmUp = TimeSpan.FromSeconds(options.Double("warmup", 1));
        var connections = options.Int("connections", 1);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(options.Double("timeout", 120)));
        var cancellation = timeout.Token;

        var result = options.Text("scenario", "") switch
        {
            "upload" => await BulkScenarios.UploadAsync(context, options.Long("bytes", 1L << 30), cancellation).ConfigureAwait(false),
            "download" => await BulkScenarios.DownloadAsync(
                context, options.Long("bytes", 1L << 30), Enum.Parse<DownloadCheck>(options.Text("download-check", "plaintext"), ignoreCase: true),
                cancellation).ConfigureAwait(false),
            "duplex" => await BulkScenarios.DuplexAsync(context, connections, options.Long("bytes", 64L << 20), cancellation).ConfigureAwait(false),
            "echo" => await EchoScenario.RunAsync(context, connections, warmUp, seconds, cancellation).ConfigureAwait(false),
            "handshakes" => await HandshakeScenario.RunAsync(context, connections, warmUp, seconds, cancellation).ConfigureAwait(false),
            "idle" => await IdleScenario.RunAsync(context, connections, seconds, cancellation).ConfigureAwait(false),
            "soak" => await SoakAsync(context, options, cancellation).ConfigureAwait(false),
            var other => throw new ArgumentException($"unknown scenario '{other}'"),
        };

        var line = result.ToTsv();
        await Console.Out.WriteLineAsync(line).ConfigureAwait(false);
        if (options.Has("results"))
        {
            await File.AppendAllTextAsync(options.Text("results", ""), line + "\n", cancellation).ConfigureAwait(false);
        }

        return result.Note.Contains("MISMATCH", StringComparison.Ordinal) || result.Note.Contains("FAILED", StringComparison.Ordinal) ? 1 : 0;
    }

    /// <summary>"--name value" pairs and one optional positional argument.</summary>
    private sealed class Options
    {
        private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

        public string Positional { get; private set; } = "";

        public static Options Parse(ReadOnlySpan<string> args)
        {
            var options = new Options();
            for (var i = 0; i < args.Length; i++)
            {
                if (args[i].StartsWith("--", StringComparison.Ordinal) && i + 1 < args.Length)
                {
                    options._values[args[i][2..]] = args[++i];
                }
                else
                {
                    options.Positional = args[i];
                }
            }

            return options;
        }

        public bool Has(string name) => _values.ContainsKey(name);

        public string Text(string name, string fallback) => _values.GetValueOrDefault(name, fallback);

        public int Int(string name, int fallback) =>
            _values.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

        public long Long(string name, long fallback) =>
            _values.TryGetValue(name, out var v) ? long.Parse(v, CultureInfo.InvariantCulture) : fallback;

        public double Double(string name, double fallback) =>
            _values.TryGetValue(name, out var v) ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;
    }
}
