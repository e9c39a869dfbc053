using System.Globalization;
using Gozar.FakeDc.Handshake;
using Gozar.Protocol.Framing;

namespace Gozar.Tests.RealClients;

/// <summary>
/// GramJS (npm package telegram) through Gozar. Its only MTProxy connection class frames abridged, with a dd secret
/// too (it strips the dd), so every run needs classic mode.
/// </summary>
public class GramJsThroughGozarTests
{
    public static TheoryData<string, bool, bool> Secrets => new()
    {
        { ThroughGozar.PlainSecret, true, false },
        { ThroughGozar.DdSecret, true, false },
        { ThroughGozar.PlainSecret, false, false },
        { ThroughGozar.PlainSecret, true, true },
    };

    [RealClientTheory(RealClient.GramJs)]
    [MemberData(nameof(Secrets))]
    public async Task GramJs_ThroughGozar_PingsUploadsAndReadsBack(string secret, bool fastMode, bool middle)
    {
        var label = $"abridged, {(secret.StartsWith("dd", StringComparison.Ordinal) ? "dd" : "plain")} secret" +
            (middle ? ", middle proxy" : $", fast mode {(fastMode ? "on" : "off")}");
        await ThroughGozar.RunAsync(
            RealClient.GramJs,
            label,
            new ThroughGozar.Expectation(ProtocolTag.Abridged, RsaScheme.RsaPad, fastMode, Middle: middle),
            (dc, proxy, scratch) =>
            {
                var directory = Path.Combine(RealClientEnvironment.ScriptsDirectory, "gramjs");
                List<string> arguments =
                [
                    Path.Combine(directory, "client.js"),
                    "--host", proxy.Address.ToString(),
                    "--port", proxy.Port.ToString(CultureInfo.InvariantCulture),
                    "--secret", secret,
                    "--dc", ThroughGozar.Dc.ToString(CultureInfo.InvariantCulture),
                    "--rsa-n", dc.RsaKey.ModulusDecimal,
                    "--rsa-e", dc.RsaKey.Exponent.ToString(CultureInfo.InvariantCulture),
                    $"--rsa-fingerprint={dc.RsaKey.Fingerprint.ToString(CultureInfo.InvariantCulture)}",
                ];
                return (RealClientEnvironment.Node!, arguments, directory);
            });
    }
}
