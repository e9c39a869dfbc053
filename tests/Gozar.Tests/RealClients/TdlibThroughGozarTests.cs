using System.Globalization;
using Gozar.FakeDc.Crypto;
using Gozar.FakeDc.Handshake;
using Gozar.Protocol.Framing;
using Gozar.Tests.FakeDc;
using Gozar.Tests.Infrastructure;

namespace Gozar.Tests.RealClients;

/// <summary>
/// TDLib, Telegram's own client library (npm tdl with prebuilt-tdlib), through Gozar with its testProxy request: the
/// transport Telegram's apps built on TDLib use, with its own fake-TLS ClientHello, its check of the server flight's
/// HMAC, its TLS records and its padded intermediate framing, all on 127.0.0.1. TDLib takes only Telegram's RSA keys,
/// which the fake DC cannot open, so the exchange goes as far as it can: TDLib's req_pq_multi reaches the DC through
/// Gozar, the DC's resPQ (listing Telegram's key) reaches TDLib through Gozar's records, and TDLib's req_DH_params, made
/// from that answer's nonces and pq, reaches the DC again, where the test ends: one message each way and a second one
/// up, through every layer Gozar adds.
/// </summary>
public class TdlibThroughGozarTests
{
    // Telegram's main RSA public key (core.telegram.org/mtproto/auth_key; built into TDLib): public data, listed by the
    // fake DC in resPQ so that TDLib goes on with req_DH_params.
    private const string TelegramKeyPem = """
        -----BEGIN RSA PUBLIC KEY-----
        MIIBCgKCAQEA6LszBcC1LGzyr992NzE0ieY+BSaOW622Aa9Bd4ZHLl+TuFQ4lo4g
        5nKaMBwK/BIb9xUfg0Q29/2mgIR6Zr9krM7HjuIcCzFvDtr+L0GQjae9H0pRB2OO
        62cECs5HKhT5DZ98K33vmWiLowc621dQuwKWSQKjWf50XYFw42h21P2KXUGyp2y/
        +aEyZ+uVgLLQbRA1dEjSDZ2iGRy12Mk5gpYc397aYp438fsJoHIgJ2lgMv5h7WY9
        t6N/byY9Nw9p21Og3AoXSL2q/2IJ1WRUhebgAdGVMlV1fkuOQoEzR7EdpqtQD9Cs
        5+bfo3Nhmcyvk5ftB0WkJ9z6bNZ7yxrP8wIDAQAB
        -----END RSA PUBLIC KEY-----
        """;

    private static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(50);

    public static TheoryData<string, ProtocolTag, bool, bool, bool> Cases => new()
    {
        { ThroughGozar.EeSecret, ProtocolTag.PaddedIntermediate, true, true, false },
        { ThroughGozar.EeSecret, ProtocolTag.PaddedIntermediate, false, true, false },
        { ThroughGozar.EeSecret, ProtocolTag.PaddedIntermediate, true, false, false },
        { ThroughGozar.DdSecret, ProtocolTag.PaddedIntermediate, true, false, false },
        { ThroughGozar.PlainSecret, ProtocolTag.Intermediate, true, false, false },
        { ThroughGozar.EeSecret, ProtocolTag.PaddedIntermediate, true, true, true },
        { ThroughGozar.DdSecret, ProtocolTag.PaddedIntermediate, true, false, true },
    };

    [Fact]
    public void TelegramKey_Fingerprint_IsTheOneTelegramPublishes()
    {
        Assert.Equal(unchecked((long)0xd09d1d85de64fd85), DcRsaKey.FingerprintOfPem(TelegramKeyPem));
    }

    [RealClientTheory(RealClient.Tdlib)]
    [MemberData(nameof(Cases))]
    public async Task Tdlib_TestProxyThroughGozar_KeyExchangeReachesReqDhParamsForTelegramsKey(
        string secret, ProtocolTag tag, bool fastMode, bool tlsOnly, bool middle)
    {
        var kind = secret.StartsWith("ee", StringComparison.Ordinal) ? "ee" : secret.StartsWith("dd", StringComparison.Ordinal) ? "dd" : "plain";
        var mode = $"{tag}, {kind} secret" + (middle ? ", middle proxy" : $", fast mode {(fastMode ? "on" : "off")}") +
            (tlsOnly ? ", fake-TLS only" : string.Empty);
        if (RealClientEnvironment.TdlibNode is null)
        {
            RealClientReport.Add("TDLib", mode, passed: false, "client library missing");
            Assert.Fail(RealClientEnvironment.TdlibMissing);
        }

        var telegramKey = DcRsaKey.FingerprintOfPem(TelegramKeyPem);
        await using var dc = SharedDc.Start([telegramKey]);
        await using var middleEnd = middle ? new MiddleHarness(bridgeDcPort: dc.Port) : null;
        var logs = new CapturingLoggerProvider();
        var expected = new ThroughGozar.Expectation(tag, RsaScheme.RsaPad, fastMode, TlsOnly: tlsOnly, Middle: middle);
        await using var proxy = TestProxy.Start(ThroughGozar.ProxyOptionsFor(dc.Port, expected, middleEnd), logs);
        var directory = Path.Combine(RealClientEnvironment.ScriptsDirectory, "tdlib");
        List<string> arguments =
        [
            Path.Combine(directory, "client.js"),
            "--host", proxy.EndPoint.Address.ToString(),
            "--port", proxy.EndPoint.Port.ToString(CultureInfo.InvariantCulture),
            "--secret", secret,
            "--dc", ThroughGozar.Dc.ToString(CultureInfo.InvariantCulture),
            "--timeout", "20",
        ];

        var run = await ClientRun.StartAsync(RealClientEnvironment.TdlibNode, arguments, directory, ClientTimeout);

        var failures = new List<string>();
        if (run.ExitCode != 0 || run.Step("testProxy") is null)
        {
            failures.Add($"the driver exited with {run.ExitCode} without TDLib's answer");
        }

        var connections = dc.Events.Connections;
        if (connections.Count == 0 || connections.Any(c => c != (expected.DcTag, ThroughGozar.Dc)))
        {
            failures.Add($"DC saw [{string.Join(", ", connections)}], expected only ({expected.DcTag}, {ThroughGozar.Dc})");
        }

        if (!dc.Events.ForeignKeyRequests.Contains(telegramKey))
        {
            failures.Add("no req_DH_params for Telegram's key: TDLib did not take the DC's resPQ through Gozar");
        }

        failures.AddRange(dc.Events.Problems.Select(p => "DC refused: " + p));
        var version = run.Step("library")?.GetProperty("version").GetString();
        var summary = failures.Count == 0
            ? $"TDLib {version}: req_pq_multi up, resPQ down, req_DH_params up for Telegram's key ({run.Elapsed.TotalSeconds:0.0} s)"
            : string.Join("; ", failures);
        RealClientReport.Add("TDLib", mode, failures.Count == 0, summary);
        Assert.True(
            failures.Count == 0,
            $"TDLib {mode}: {summary}{Environment.NewLine}{run.Describe()}" +
            $"fake DC events:{Environment.NewLine}{dc.Events}{Environment.NewLine}Gozar log:{Environment.NewLine}{logs.Text}");
    }
}
