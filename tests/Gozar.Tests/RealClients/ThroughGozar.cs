using System.Net;
using System.Security.Cryptography;
using Gozar.Configuration;
using Gozar.FakeDc;
using Gozar.FakeDc.Handshake;
using Gozar.Protocol.Framing;
using Gozar.Tests.FakeDc;
using Gozar.Tests.Infrastructure;

namespace Gozar.Tests.RealClients;

/// <summary>
/// Runs a real client library through a real Gozar listener to the fake DC, all on 127.0.0.1, and checks what
/// each of the three saw: the client's own steps (connect, ping, upload 256 KiB + 4 bytes, read back, compare),
/// the DC's record (framing and DC index of every connection, RSA scheme, the uploaded file, no refusals), and
/// reports the outcome per client and mode.
/// </summary>
internal static class ThroughGozar
{
    public const int UploadLength = (256 * 1024) + 4;
    public const short Dc = 2;
    public static readonly string PlainSecret = Convert.ToHexStringLower(TestProxy.AliceKey);
    public static readonly string DdSecret = "dd" + PlainSecret;
    public static readonly string EeSecret = "ee" + PlainSecret + Convert.ToHexStringLower(System.Text.Encoding.ASCII.GetBytes(TestProxy.Domain));
    private static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(50);

    /// <param name="SecureOnly">Gozar with only secure mode on (dd secrets), else with every mode on.</param>
    /// <param name="TlsOnly">Gozar with only fake-TLS on (ee secrets): any other client would be masked.</param>
    /// <param name="Middle">
    /// Gozar in middle mode: the client's packets go as RPC_PROXY_REQ to a fake middle-end, which carries them to the
    /// fake DC over connections of its own (padded intermediate), as Telegram's middle-ends do.
    /// </param>
    public sealed record Expectation(
        ProtocolTag Tag, RsaScheme Scheme, bool FastMode, bool SecureOnly = false, bool TlsOnly = false, bool Middle = false)
    {
        /// <summary>The framing the DC sees: the client's, or in middle mode the middle-end's.</summary>
        public ProtocolTag DcTag => Middle ? ProtocolTag.PaddedIntermediate : Tag;
    }

    public delegate (string FileName, List<string> Arguments, string WorkingDirectory) Command(FakeTelegramDc dc, IPEndPoint proxy, string scratch);

    public static async Task RunAsync(RealClient client, string mode, Expectation expected, Command command)
    {
        var (tool, missing) = client switch
        {
            RealClient.Telethon => (RealClientEnvironment.TelethonPython, RealClientEnvironment.TelethonMissing),
            RealClient.GramJs => (RealClientEnvironment.Node, RealClientEnvironment.GramJsMissing),
            RealClient.Mtcute => (RealClientEnvironment.MtcuteNode, RealClientEnvironment.MtcuteMissing),
            _ => throw new ArgumentOutOfRangeException(nameof(client), client, "TDLib runs its own test: it cannot make a key with the fake DC."),
        };
        if (tool is null)
        {
            RealClientReport.Add(client.ToString(), mode, passed: false, "client library missing");
            Assert.Fail(missing);
        }

        var scratch = Directory.CreateTempSubdirectory("gozar-realclient-").FullName;
        try
        {
            await using var dc = SharedDc.Start();
            await using var middle = expected.Middle ? new MiddleHarness(bridgeDcPort: dc.Port) : null;
            var logs = new CapturingLoggerProvider();
            await using var proxy = TestProxy.Start(ProxyOptionsFor(dc.Port, expected, middle), logs);
            var (fileName, arguments, workingDirectory) = command(dc, proxy.EndPoint, scratch);
            var run = await ClientRun.StartAsync(fileName, arguments, workingDirectory, ClientTimeout);

            var failures = Check(run, dc, expected);
            var summary = failures.Count == 0
                ? $"connect {run.Step("connect")?.GetProperty("seconds")} s, ping, {UploadLength} bytes up and back identical ({run.Elapsed.TotalSeconds:0.0} s)"
                : string.Join("; ", failures);
            RealClientReport.Add(client.ToString(), mode, failures.Count == 0, summary);
            Assert.True(
                failures.Count == 0,
                $"{client} {mode}: {summary}{Environment.NewLine}{run.Describe()}" +
                $"fake DC events:{Environment.NewLine}{dc.Events}{Environment.NewLine}Gozar log:{Environment.NewLine}{logs.Text}");
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    private static List<string> Check(ClientRun run, FakeTelegramDc dc, Expectation expected)
    {
        var failures = new List<string>();
        if (run.ExitCode != 0)
        {
            failures.Add($"client exited with {run.ExitCode}");
        }

        if (run.Step("ping") is not { } ping || !ping.GetProperty("ok").GetBoolean())
        {
            failures.Add("no pong for the ping");
        }

        if (run.Step("upload") is not { } upload || upload.GetProperty("bytes").GetInt32() != UploadLength)
        {
            failures.Add("upload did not finish");
        }
        else
        {
            var sha256 = upload.GetProperty("sha256").GetString();
            var stored = dc.Files.Snapshot().Values.Any(f => Convert.ToHexStringLower(SHA256.HashData(f)) == sha256);
            if (!stored)
            {
                failures.Add("the fake DC holds no file with the client's SHA-256");
            }
        }

        if (run.Step("download") is not { } download || !download.GetProperty("match").GetBoolean())
        {
            failures.Add("the file read back differs from the one uploaded");
        }

        var connections = dc.Events.Connections;
        if (connections.Count == 0 || connections.Any(c => c != (expected.DcTag, Dc)))
        {
            failures.Add($"DC saw [{string.Join(", ", connections)}], expected only ({expected.DcTag}, {Dc})");
        }

        if (!dc.Events.KeySchemes.Contains(expected.Scheme))
        {
            failures.Add($"no key exchange with {expected.Scheme}");
        }

        failures.AddRange(dc.Events.Problems.Select(p => "DC refused: " + p));
        return failures;
    }

    /// <param name="middle">In middle mode, the fake middle-end and its files (every DC id goes to it); else null.</param>
    public static ProxyOptions ProxyOptionsFor(int dcPort, Expectation expected, MiddleHarness? middle = null)
    {
        var modes = expected.SecureOnly ? new ModeOptions(Classic: false, Secure: true, Tls: false)
            : expected.TlsOnly ? new ModeOptions(Classic: false, Secure: false, Tls: true)
            : null;
        if (middle is not null)
        {
            var options = middle.Options();
            return modes is null ? options : options with { Modes = modes };
        }

        // Every DC id, media and CDN ones included, goes to the fake DC: nothing but loopback is ever dialled.
        var overrides = new Dictionary<string, IReadOnlyList<HostEndpoint>> { ["*"] = [new HostEndpoint("127.0.0.1", dcPort)] };
        // TestProxy.Options reads its EchoDc only to build the overrides, which are given here.
        return TestProxy.Options(dc: null!, modes: modes, overrides: overrides, fastMode: expected.FastMode);
    }
}
