using Gozar.FakeDc.Handshake;
using Gozar.Protocol.Framing;

namespace Gozar.Tests.RealClients;

/// <summary>Telethon (Debian's python3-telethon) through Gozar with each of its MTProxy connection classes.</summary>
public class TelethonThroughGozarTests
{
    public static TheoryData<string, string, ProtocolTag, bool, bool, bool> Modes => new()
    {
        { "abridged", ThroughGozar.PlainSecret, ProtocolTag.Abridged, true, false, false },
        { "intermediate", ThroughGozar.PlainSecret, ProtocolTag.Intermediate, true, false, false },
        { "padded", ThroughGozar.DdSecret, ProtocolTag.PaddedIntermediate, true, false, false },
        { "padded", ThroughGozar.PlainSecret, ProtocolTag.PaddedIntermediate, true, false, false },
        { "abridged", ThroughGozar.PlainSecret, ProtocolTag.Abridged, false, false, false },
        { "padded", ThroughGozar.DdSecret, ProtocolTag.PaddedIntermediate, false, false, false },
        { "padded", ThroughGozar.DdSecret, ProtocolTag.PaddedIntermediate, true, true, false },
        { "abridged", ThroughGozar.PlainSecret, ProtocolTag.Abridged, true, false, true },
        { "intermediate", ThroughGozar.PlainSecret, ProtocolTag.Intermediate, true, false, true },
        { "padded", ThroughGozar.DdSecret, ProtocolTag.PaddedIntermediate, true, true, true },
    };

    [RealClientTheory(RealClient.Telethon)]
    [MemberData(nameof(Modes))]
    public async Task Telethon_ThroughGozar_PingsUploadsAndReadsBack(
        string mode, string secret, ProtocolTag tag, bool fastMode, bool secureOnly, bool middle)
    {
        var label = $"{mode}, {(secret.StartsWith("dd", StringComparison.Ordinal) ? "dd" : "plain")} secret" +
            (middle ? ", middle proxy" : $", fast mode {(fastMode ? "on" : "off")}") + (secureOnly ? ", secure mode only" : string.Empty);
        await ThroughGozar.RunAsync(
            RealClient.Telethon,
            label,
            new ThroughGozar.Expectation(tag, RsaScheme.Sha1Padding, fastMode, secureOnly, Middle: middle),
            (dc, proxy, scratch) =>
            {
                var pem = Path.Combine(scratch, "dc.pem");
                File.WriteAllText(pem, dc.RsaKey.PublicKeyPem);
                var script = Path.Combine(RealClientEnvironment.ScriptsDirectory, "telethon", "client.py");
                List<string> arguments =
                [
                    script, "--host", proxy.Address.ToString(), "--port", proxy.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    "--secret", secret, "--mode", mode, "--dc", ThroughGozar.Dc.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    "--rsa-pem", pem,
                ];
                return (RealClientEnvironment.TelethonPython!, arguments, scratch);
            });
    }
}
