using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Gozar.Audit;
using Gozar.Cli;
using Gozar.Configuration;
using Gozar.Protocol.Framing;
using Gozar.Protocol.Secrets;
using Gozar.SelfTest;
using Gozar.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Gozar.Tests.Audit;

/// <summary>
/// Every probe a censor sends gets, through Gozar, what a real nginx gives it directly: same answer shape, same kind
/// of close, about the same time.
/// </summary>
public class ProbeBatteryTests
{
    private static readonly TimeSpan NginxHeaderTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(6);

    public static TheoryData<string> ProbeNames()
    {
        var data = new TheoryData<string>();
        foreach (var probe in ProbeBattery.Create(TestProxy.Domain, TestProxy.AliceKey, 0))
        {
            data.Add(probe.Name);
        }

        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(ProbeNames))]
    public async Task Probe_ThroughGozar_LooksLikeTheMaskSite(string name)
    {
        NginxSite.RequireInstalled();
        await using var nginx = await NginxSite.StartAsync(TestProxy.Domain, NginxHeaderTimeout);
        await using var dc = new EchoDc();
        await using var proxy = TestProxy.Start(TestProxy.Options(dc, maskEndPoint: nginx.EndPoint));
        var probe = ProbeBattery.Create(TestProxy.Domain, TestProxy.AliceKey, DateTimeOffset.UtcNow.ToUnixTimeSeconds()).Single(p => p.Name == name);

        if (probe.ReplayOfAcceptedHello)
        {
            var first = await ProbeRunner.RunAsync(proxy.EndPoint, probe with { CloseAfterSending = true }, Wait, default);
            Assert.Equal(CloseKind.Fin, first.Close);
        }

        var proxied = ProbeRunner.RunAsync(proxy.EndPoint, probe, Wait, default);
        var direct = ProbeRunner.RunAsync(nginx.EndPoint, probe, Wait, default);
        var (p, d) = (await proxied, await direct);

        if (ProbeComparer.Difference(p, d, TimeSpan.FromMilliseconds(750)) is { } diff)
        {
            Assert.Fail($"{diff} / proxy {p.Close} {p.Elapsed} {p.Received.Length} / mask {d.Close} {d.Elapsed} {d.Received.Length}");
        }
        Assert.Empty(dc.Inits);
    }

    /// <summary>
    /// A prober that stops inside a TLS record header (classic and secure on next to TLS, where Gozar needs the
    /// handshake type byte to tell a hello from an obfuscated2 init): nginx answers a bad version or an oversized length
    /// at once, so the site must see these bytes at once through Gozar too.
    /// </summary>
    [SkippableTheory]
    [InlineData("1600000000")]
    [InlineData("1603000000")]
    [InlineData("1603010000")]
    [InlineData("1603030000")]
    [InlineData("160301ffff")]
    [InlineData("160303ffff")]
    [InlineData("1641424344")]
    public async Task Probe_StopsInsideATlsRecordHeader_LooksLikeTheMaskSite(string hex)
    {
        NginxSite.RequireInstalled();
        await using var nginx = await NginxSite.StartAsync(TestProxy.Domain, NginxHeaderTimeout);
        await using var dc = new EchoDc();
        await using var proxy = TestProxy.Start(TestProxy.Options(dc, maskEndPoint: nginx.EndPoint));
        var probe = new Probe("tls-header", Convert.FromHexString(hex));

        var proxied = ProbeRunner.RunAsync(proxy.EndPoint, probe, Wait, default);
        var direct = ProbeRunner.RunAsync(nginx.EndPoint, probe, Wait, default);
        var (p, d) = (await proxied, await direct);

        if (ProbeComparer.Difference(p, d, TimeSpan.FromMilliseconds(750)) is { } diff)
        {
            Assert.Fail($"{diff} / proxy {p.Close} {p.Elapsed} {p.Received.Length} / mask {d.Close} {d.Elapsed} {d.Received.Length}");
        }
    }

    /// <summary>
    /// A prober reads the site's answer to its FIN, then sends one more byte. nginx has closed its socket, so its kernel
    /// answers the byte with a reset; through Gozar the byte must be reset just the same, not taken by a relay that
    /// still holds the client's side open.
    /// </summary>
    [SkippableTheory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public async Task Probe_SendsAfterTheSiteClosed_IsResetAsByTheMaskSite(bool plainSite, bool tlsOnly)
    {
        NginxSite.RequireInstalled();
        await using var nginx = await NginxSite.StartAsync(TestProxy.Domain, NginxHeaderTimeout, plain: plainSite);
        await using var dc = new EchoDc();
        var modes = tlsOnly ? new ModeOptions(Classic: false, Secure: false, Tls: true) : null;
        await using var proxy = TestProxy.Start(TestProxy.Options(dc, modes: modes, maskEndPoint: nginx.EndPoint));
        // Answered, then closed, by nginx either way: on its TLS port plain HTTP is a 400, on the plain port an HTTP/1.0
        // request is answered and the connection closed.
        var request = Encoding.ASCII.GetBytes($"GET / HTTP/1.0\r\nHost: {TestProxy.Domain}\r\nUser-Agent: Mozilla/5.0\r\nAccept: */*\r\n\r\n");

        var direct = await SendAfterTheCloseAsync(nginx.EndPoint, request);
        var proxied = await SendAfterTheCloseAsync(proxy.EndPoint, request);

        Assert.True(direct.Reset, $"nginx did not reset the late byte ({direct.Status})");
        Assert.Equal(direct.Status, proxied.Status);
        Assert.True(proxied.Reset, $"through Gozar the byte sent after the site closed was not reset: {proxied.Status}");
    }

    /// <summary>
    /// Sends <paramref name="request"/>, reads to the server's FIN, sends one byte and says whether a reset answers it
    /// within two seconds (one round trip on loopback; the proxy's checks for the site's reset end well before).
    /// </summary>
    private static async Task<(string Status, bool Reset)> SendAfterTheCloseAsync(IPEndPoint target, byte[] request)
    {
        using var socket = await SocketExtensions.ConnectAsync(target);
        await socket.SendAsync(request, SocketFlags.None);
        var answer = await socket.ReadToEndAsync(Wait);
        var status = Encoding.Latin1.GetString(answer).Split("\r\n")[0];

        await socket.SendAsync(new byte[] { (byte)'X' }, SocketFlags.None);

        // A reset after the FIN ends no receive (Linux reports the end of stream first): the socket's pending error shows it.
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(2))
        {
            if ((int)socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error)! != 0)
            {
                return (status, true);
            }

            await Task.Delay(5);
        }

        return (status, false);
    }

    [SkippableFact]
    public async Task AuditCommand_AgainstGozarInFrontOfNginx_ReportsNoDifferenceWhileClientsStillWork()
    {
        NginxSite.RequireInstalled();
        await using var nginx = await NginxSite.StartAsync(TestProxy.Domain, NginxHeaderTimeout);
        await using var dc = new EchoDc();
        await using var proxy = TestProxy.Start(TestProxy.Options(dc, maskEndPoint: nginx.EndPoint));
        var secret = ProxySecret.FakeTls(TestProxy.BobKey, TestProxy.Domain).ToHex();
        var output = new StringWriter();

        var code = await GozarCommandLine.Build(output, new StringWriter()).Parse(
            ["audit", "--proxy", proxy.EndPoint.ToString(), "--mask", nginx.EndPoint.ToString(), "--secret", secret, "--timeout", "6s"]).InvokeAsync();

        Assert.True(code == 0, output.ToString());
        Assert.Contains("answered all 15 probes like the mask site", output.ToString(), StringComparison.Ordinal);

        await using var client = await Client.ConnectTlsAsync(proxy.EndPoint, TestProxy.AliceKey);
        var frame = Frames.Build(ProtocolTag.PaddedIntermediate, [512]);
        var echo = client.ReceiveAsync(frame.Length, default);
        await client.SendAsync(frame, default);
        Assert.Equal(frame, await echo);
    }

    [SkippableFact]
    public async Task RealHttpsSession_ThroughGozar_OutlivesTheHandshakeDeadline()
    {
        NginxSite.RequireInstalled();
        await using var nginx = await NginxSite.StartAsync(TestProxy.Domain, NginxHeaderTimeout);
        await using var dc = new EchoDc();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var proxy = TestProxy.Start(
            TestProxy.Options(dc, maskEndPoint: nginx.EndPoint, handshakeTimeout: TimeSpan.FromSeconds(1)), time: time);
        using var socket = await SocketExtensions.ConnectAsync(proxy.EndPoint);
        await using var tls = new SslStream(new NetworkStream(socket), leaveInnerStreamOpen: false, (_, certificate, _, _) => certificate?.Subject == "CN=example.com");
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = TestProxy.Domain });

        Assert.Equal("hello from the mask site\n", await GetAsync(tls));
        time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal("hello from the mask site\n", await GetAsync(tls));
        Assert.Empty(dc.Inits);
    }

    private static async Task<string> GetAsync(SslStream tls)
    {
        await tls.WriteAsync(Encoding.ASCII.GetBytes($"GET / HTTP/1.1\r\nHost: {TestProxy.Domain}\r\n\r\n"));
        var buffer = new byte[4096];
        var text = new StringBuilder();
        while (!text.ToString().EndsWith("site\n", StringComparison.Ordinal))
        {
            var read = await tls.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            Assert.NotEqual(0, read);
            text.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        var response = text.ToString();
        return response[(response.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
    }
}
