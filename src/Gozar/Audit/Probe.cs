using System.Security.Cryptography;
using System.Text;
using Gozar.Protocol.FakeTls;

namespace Gozar.Audit;

/// <summary>
/// One thing a censor's prober does to a suspected proxy: bytes to send (the same bytes to the proxy and to the real
/// site), whether to close the sending side afterwards, and whether the target must be the same connection twice
/// (a replay: the first copy goes to the proxy alone).
/// </summary>
public sealed record Probe(string Name, byte[] Payload, bool CloseAfterSending = false, bool ReplayOfAcceptedHello = false);

/// <summary>The battery of spec §6 / issue "Undetectable": what Iranian, Russian and Chinese probers are known to send.</summary>
public static class ProbeBattery
{
    /// <param name="sni">The domain the proxy pretends to be.</param>
    /// <param name="secretKey">The 16-byte key of a real user, when the operator gives one: enables the probes that
    /// need an authentic hello (clock skew, unknown SNI, replay).</param>
    public static IReadOnlyList<Probe> Create(string sni, byte[]? secretKey, long unixNow)
    {
        var randomKey = RandomNumberGenerator.GetBytes(16);
        var foreignHello = Hello(randomKey, sni, unixNow);
        var random = RandomNumberGenerator.GetBytes(512);
        random[0] = 0x42;

        var probes = new List<Probe>
        {
            new("http-get", Encoding.ASCII.GetBytes($"GET / HTTP/1.1\r\nHost: {sni}\r\nUser-Agent: Mozilla/5.0\r\nAccept: */*\r\n\r\n")),
            new("http-connect", Encoding.ASCII.GetBytes($"CONNECT {sni}:443 HTTP/1.1\r\nHost: {sni}:443\r\n\r\n")),
            new("random-bytes", random),
            new("single-byte", [0x16]),
            new("silent", []),
            new("tls-hello-wrong-secret", foreignHello),
            new("tls-hello-other-sni", Hello(randomKey, "unknown-site.example", unixNow)),
            new("tls-hello-truncated", foreignHello[..(foreignHello.Length / 2)]),
            new("tls-hello-truncated-then-fin", foreignHello[..(foreignHello.Length / 2)], CloseAfterSending: true),
            new("tls-oversized-record", [0x16, 0x03, 0x01, 0xff, 0xff, .. RandomNumberGenerator.GetBytes(64)]),
            new("tls-not-client-hello", [0x16, 0x03, 0x01, 0x00, 0x08, 0x02, 0x00, 0x00, 0x04, 0x03, 0x03, 0x00, 0x00]),
            new("tls-alert", [0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28]),
        };

        if (secretKey is not null)
        {
            probes.Add(new("tls-hello-clock-skew", Hello(secretKey, sni, unixNow - 86_400)));
            probes.Add(new("tls-hello-valid-unknown-sni", Hello(secretKey, "unknown-site.example", unixNow)));
            probes.Add(new("tls-hello-replay", Hello(secretKey, sni, unixNow), ReplayOfAcceptedHello: true));
        }

        return probes;
    }

    private static byte[] Hello(byte[] key, string sni, long unixTime)
    {
        var entropy = RandomNumberGenerator.GetBytes(ClientHelloBuilder.GetEntropyLength(ClientHelloShape.Classic));
        var hello = new byte[ClientHelloBuilder.GetLength(ClientHelloShape.Classic, sni.Length, entropy)];
        ClientHelloBuilder.Build(key, sni, unixTime, entropy, ClientHelloShape.Classic, hello);
        return hello;
    }
}
