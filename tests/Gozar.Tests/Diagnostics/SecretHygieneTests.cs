using System.Security.Cryptography;
using System.Text;
using Gozar.Configuration;
using Gozar.Protocol.Framing;
using Gozar.Protocol.Obfuscation;
using Gozar.Protocol.Secrets;
using Gozar.SelfTest;
using Gozar.Tests.Infrastructure;

namespace Gozar.Tests.Diagnostics;

/// <summary>Every kind of session, good and bad, logged at trace level: no form of any user's secret in the output.</summary>
public class SecretHygieneTests
{
    private const int HexWindow = 12;

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    [Fact]
    public async Task Sessions_EveryHandshakeKindAtTraceLevel_LogNoFormOfAnySecret()
    {
        var logs = new CapturingLoggerProvider();
        await using var dc = new EchoDc();
        await using var mask = new FakeMaskSite();
        var options = TestProxy.Options(dc, mask) with { Log = new LogOptions { Level = LogLevelOption.Trace, ClientIps = true } };
        await using (var proxy = TestProxy.Start(options, logs))
        {
            await using (var classic = await Client.ConnectAsync(proxy.EndPoint, TestProxy.AliceKey, ProtocolTag.Intermediate, 2))
            await using (var secure = await Client.ConnectAsync(proxy.EndPoint, TestProxy.BobKey, ProtocolTag.PaddedIntermediate, -4))
            await using (var tls = await Client.ConnectTlsAsync(proxy.EndPoint, TestProxy.AliceKey, dc: 99))
            {
                await EchoAsync(classic, ProtocolTag.Intermediate);
                await EchoAsync(secure, ProtocolTag.PaddedIntermediate);
                await EchoAsync(tls, ProtocolTag.PaddedIntermediate);
            }

            // Wrong secrets, in both handshakes.
            await SendAndReadToEndAsync(proxy, TlsTunnel.BuildHello(RandomNumberGenerator.GetBytes(16), TestProxy.Domain, Now));
            var wrongInit = new byte[Obfuscated2.InitLength];
            var streams = Obfuscated2.CreateInit(RandomNumberGenerator.GetBytes(64), RandomNumberGenerator.GetBytes(16), ProtocolTag.Intermediate, 2, wrongInit);
            streams.Encryptor.Dispose();
            streams.Decryptor.Dispose();
            await SendAndReadToEndAsync(proxy, wrongInit);

            // A replayed hello, a stale one, an unknown SNI and a prober's HTTP request.
            var hello = TlsTunnel.BuildHello(TestProxy.BobKey, TestProxy.Domain, Now);
            await using (var first = await SelfTestClient.ConnectAsync(
                proxy.EndPoint, TestProxy.BobKey, ProtocolTag.PaddedIntermediate, 2,
                socket => TlsTunnel.OpenAsync(socket, TestProxy.BobKey, TlsTunnel.ClientRandomOf(hello), [hello], CancellationToken.None),
                CancellationToken.None))
            {
                await EchoAsync(first, ProtocolTag.PaddedIntermediate);
            }

            await SendAndReadToEndAsync(proxy, hello);
            await SendAndReadToEndAsync(proxy, TlsTunnel.BuildHello(TestProxy.AliceKey, TestProxy.Domain, Now - 7200));
            await SendAndReadToEndAsync(proxy, TlsTunnel.BuildHello(TestProxy.AliceKey, "other.example", Now));
            await SendAndReadToEndAsync(proxy, "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n"u8.ToArray());
            await WaitForSessionsAsync(proxy);
        }

        var text = logs.Text;
        Assert.Contains("Session Relayed", text, StringComparison.Ordinal);
        Assert.Contains("Session Masked", text, StringComparison.Ordinal);
        Assert.All(SecretForms(TestProxy.AliceKey).Concat(SecretForms(TestProxy.BobKey)), form =>
            Assert.DoesNotContain(form, text, form.All(Uri.IsHexDigit) ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal));
    }

    /// <summary>
    /// The key's hex in windows of 12 digits (so a cut or embedded copy is found too: the dd and ee forms and raw bytes as
    /// hex all contain it), and every base64 spelling a client or the config may use.
    /// </summary>
    private static IEnumerable<string> SecretForms(byte[] key)
    {
        var hex = Convert.ToHexStringLower(key);
        for (var i = 0; i + HexWindow <= hex.Length; i++)
        {
            yield return hex.Substring(i, HexWindow);
        }

        ProxySecret[] secrets = [ProxySecret.Classic(key), ProxySecret.Secure(key), ProxySecret.FakeTls(key, TestProxy.Domain)];
        foreach (var secret in secrets)
        {
            yield return secret.ToHex();
            yield return secret.ToBase64Url();
        }

        yield return Convert.ToBase64String(key);
        yield return Convert.ToBase64String(key).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        yield return "ee" + hex + Convert.ToHexStringLower(Encoding.ASCII.GetBytes(TestProxy.Domain));
    }

    private static async Task EchoAsync(SelfTestClient client, ProtocolTag tag)
    {
        var frame = Frames.Build(tag, [64]);
        var echo = client.ReceiveAsync(frame.Length, default);
        await client.SendAsync(frame, default);
        Assert.Equal(frame, await echo.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    private static async Task SendAndReadToEndAsync(TestProxy proxy, byte[] bytes)
    {
        using var socket = await SocketExtensions.ConnectAsync(proxy.EndPoint);
        await socket.SendAsync(bytes);
        await socket.ReadToEndAsync();
    }

    private static async Task WaitForSessionsAsync(TestProxy proxy)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (proxy.Context.Registry.Count != 0)
        {
            await Task.Delay(10, timeout.Token);
        }
    }
}
