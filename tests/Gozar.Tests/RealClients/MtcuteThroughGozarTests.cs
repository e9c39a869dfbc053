using System.Globalization;
using Gozar.FakeDc.Handshake;
using Gozar.Protocol.Framing;

namespace Gozar.Tests.RealClients;

/// <summary>
/// mtcute (npm package @mtcute/node) through Gozar: the one client library here whose MTProxy transport speaks
/// fake-TLS, so the ee handshake, the server flight's HMAC and the TLS records are checked by code Gozar's authors did
/// not write. It frames intermediate with a plain secret and padded intermediate with dd and ee.
/// </summary>
public class MtcuteThroughGozarTests
{
    public static TheoryData<string, ProtocolTag, bool, bool> Secrets => new()
    {
        { ThroughGozar.EeSecret, ProtocolTag.PaddedIntermediate, true, false },
        { ThroughGozar.EeSecret, ProtocolTag.PaddedIntermediate, false, false },
        { ThroughGozar.DdSecret, ProtocolTag.PaddedIntermediate, true, false },
        { ThroughGozar.PlainSecret, ProtocolTag.Intermediate, true, false },
        { ThroughGozar.EeSecret, ProtocolTag.PaddedIntermediate, true, true },
        { ThroughGozar.PlainSecret, ProtocolTag.Intermediate, true, true },
    };

    [RealClientTheory(RealClient.Mtcute)]
    [MemberData(nameof(Secrets))]
    public async Task Mtcute_ThroughGozar_PingsUploadsAndReadsBack(string secret, ProtocolTag tag, bool fastMode, bool middle)
    {
        var tls = secret.StartsWith("ee", StringComparison.Ordinal);
        var kind = tls ? "ee" : secret.StartsWith("dd", StringComparison.Ordinal) ? "dd" : "plain";
        var label = $"{tag}, {kind} secret" + (middle ? ", middle proxy" : $", fast mode {(fastMode ? "on" : "off")}") +
            (tls ? ", fake-TLS only" : string.Empty);
        await ThroughGozar.RunAsync(
            RealClient.Mtcute,
            label,
            new ThroughGozar.Expectation(tag, RsaScheme.RsaPad, fastMode, TlsOnly: tls, Middle: middle),
            (dc, proxy, scratch) =>
            {
                var pem = Path.Combine(scratch, "dc.pem");
                File.WriteAllText(pem, dc.RsaKey.PublicKeyPem);
                var directory = Path.Combine(RealClientEnvironment.ScriptsDirectory, "mtcute");
                List<string> arguments =
                [
                    Path.Combine(directory, "client.js"),
                    "--host", proxy.Address.ToString(),
                    "--port", proxy.Port.ToString(CultureInfo.InvariantCulture),
                    "--secret", secret,
                    "--dc", ThroughGozar.Dc.ToString(CultureInfo.InvariantCulture),
                    "--rsa-pem", pem,
                ];
                return (RealClientEnvironment.MtcuteNode!, arguments, directory);
            });
    }
}
