using System.Net;
using System.Net.Sockets;
using Gozar.Configuration;
using Gozar.Diagnostics;
using Gozar.Hosting;
using Gozar.Protocol.Framing;
using Gozar.SelfTest;
using Gozar.Sessions;
using Gozar.Tests.Infrastructure;
using Gozar.Tests.Users;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Gozar.Tests.Sessions;

/// <summary>Every upstream, mask and client fault ends the session cleanly with one counted outcome.</summary>
[Collection(ProcessWideCollection.Name)]
public class ClientSessionFaultTests
{
    private static readonly byte[] Request = "GET /index.html HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: probe/1.0\r\n\r\n"u8.ToArray();

    private static Dictionary<string, IReadOnlyList<HostEndpoint>> AllDcsAt(string host, int port) => new() { ["*"] = [new HostEndpoint(host, port)] };

    [Fact]
    public async Task RunAsync_DcRefuses_UpstreamUnreachableAndClientClosed()
    {
        await using var dc = new EchoDc();
        var options = TestProxy.Options(dc, overrides: AllDcsAt("127.0.0.1", RunPortThatRefuses()));
        await using var proxy = TestProxy.Start(options);

        await using var client = await Client.ConnectTlsAsync(proxy.EndPoint, TestProxy.AliceKey);

        Assert.Empty(await client.Socket.ReadToEndAsync());
        await AssertOutcomeAsync(proxy, SessionOutcome.UpstreamUnreachable);
    }

    [Fact]
    public async Task RunAsync_DcConnectTimesOut_UpstreamUnreachable()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var dc = new EchoDc();
        using var blackHole = new BlackHoleDc();
        var options = TestProxy.Options(dc, overrides: AllDcsAt("127.0.0.1", blackHole.Port));
        await using var proxy = TestProxy.Start(options, time: time);
        await using var client = await Client.ConnectTlsAsync(proxy.EndPoint, TestProxy.AliceKey);

        var closed = client.Socket.ReadToEndAsync();
        Assert.False(closed.IsCompleted);

        // The connect attempt starts on the proxy's own schedule: move the clock a second at a time until it gives up,
        // never further than just past the connect timeout would need.
        for (var second = 0; second < 60 && !closed.IsCompleted; second++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAny(closed, Task.Delay(50));
        }

        Assert.Empty(await closed);
        await AssertOutcomeAsync(proxy, SessionOutcome.UpstreamUnreachable);
    }

    [Fact]
    public async Task RunAsync_DcHostNameDoesNotResolve_UpstreamUnreachableAndLogged()
    {
        var logs = new CapturingLoggerProvider();
        await using var dc = new EchoDc();
        var options = TestProxy.Options(dc, overrides: AllDcsAt("dc.example.invalid", 443));
        var environment = new ProxyEnvironment(logs)
        {
            Resolve = (_, _) => Task.FromException<IPAddress[]>(new SocketException((int)SocketError.HostNotFound)),
        };
        await using var proxy = TestProxy.Start(options, environment);
        await using var client = await Client.ConnectTlsAsync(proxy.EndPoint, TestProxy.AliceKey);

        Assert.Empty(await client.Socket.ReadToEndAsync());
        await AssertOutcomeAsync(proxy, SessionOutcome.UpstreamUnreachable);
        Assert.Contains(logs.Lines, l => l.Contains("DnsFailed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_DcResetsMidStream_UpstreamErrorAndClientClosed()
    {
        await using var dc = new EchoDc();
        await using var resetting = new ResettingDc();
        await using var proxy = TestProxy.Start(TestProxy.Options(dc, overrides: AllDcsAt("127.0.0.1", resetting.Port)));
        await using var client = await Client.ConnectTlsAsync(proxy.EndPoint, TestProxy.AliceKey);

        await client.SendAsync(Frames.Build(ProtocolTag.PaddedIntermediate, [64]), default);

        Assert.Empty(await client.Socket.ReadToEndAsync());
        await AssertOutcomeAsync(proxy, SessionOutcome.UpstreamError);
    }

    [Fact]
    public async Task RunAsync_DcResetsRightAfterAccepting_CountedAsTheDcsFailure()
    {
        await using var dc = new EchoDc();
        await using var resetting = new ResettingDc(atOnce: true);
        await using var proxy = TestProxy.Start(TestProxy.Options(dc, overrides: AllDcsAt("127.0.0.1", resetting.Port)));
        await using var client = await Client.ConnectTlsAsync(proxy.EndPoint, TestProxy.AliceKey);

        Assert.Empty(await client.Socket.ReadToEndAsync());

        // Depending on when the reset meets the proxy: its connect fails, the opening's send fails, or the relay sees
        // it. Each is the DC's failure, never the client's.
        await WaitForNoSessionsAsync(proxy);
        var totals = proxy.Context.Metrics.OutcomeTotals();
        Assert.Equal(1, totals[(int)SessionOutcome.UpstreamError] + totals[(int)SessionOutcome.UpstreamUnreachable]);
        Assert.Equal(1, totals.Sum());
    }

    [Fact]
    public async Task RunAsync_MaskHostDown_MaskUnreachableAndClientClosed()
    {
        await using var dc = new EchoDc();
        var options = TestProxy.Options(dc, maskEndPoint: new IPEndPoint(IPAddress.Loopback, RunPortThatRefuses()));
        await using var proxy = TestProxy.Start(options);
        using var socket = await SocketExtensions.ConnectAsync(proxy.EndPoint);

        await socket.SendAsync("GET / HTTP/1.1\r\n\r\n"u8.ToArray());

        Assert.Empty(await socket.ReadToEndAsync());
        await AssertOutcomeAsync(proxy, SessionOutcome.MaskUnreachable);
    }

    [Fact]
    public async Task RunAsync_MaskHostDownForManyProbes_OneWarningPerIntervalWithTheCountHeldBack()
    {
        // A prober can open connections as fast as it likes while the mask host is down: not a warning for each. The
        // request is longer than an obfuscated2 init, so the session decides at once, without the (fake) clock.
        var logs = new CapturingLoggerProvider();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var dc = new EchoDc();
        var options = TestProxy.Options(dc, maskEndPoint: new IPEndPoint(IPAddress.Loopback, RunPortThatRefuses()));
        await using var proxy = TestProxy.Start(options, logs, time);

        for (var probe = 0; probe < 4; probe++)
        {
            using var socket = await SocketExtensions.ConnectAsync(proxy.EndPoint);
            await socket.SendAsync(Request);
            Assert.Empty(await socket.ReadToEndAsync());
        }

        time.Advance(LogGate.Interval);
        using (var last = await SocketExtensions.ConnectAsync(proxy.EndPoint))
        {
            await last.SendAsync(Request);
            Assert.Empty(await last.ReadToEndAsync());
        }

        await WaitForNoSessionsAsync(proxy);
        Assert.Equal(5, proxy.Context.Metrics.OutcomeTotals()[(int)SessionOutcome.MaskUnreachable]);
        var warnings = logs.Lines.Where(l => l.Contains("Mask host", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, warnings.Count);
        Assert.Contains("; 0 more since the last such line", warnings[0], StringComparison.Ordinal);
        Assert.Contains("; 3 more since the last such line", warnings[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ShortProbeWhileTheMaskHostDoesNotAnswer_GivesItsHandshakeSlotBackAtTheDeadline()
    {
        // The mask host's backlog is full, so its connect hangs until upstream.connect_timeout (5 s here); the short
        // probe is mirrored to the mask connection while the session still decides, and must not wait for it past its
        // own 300 ms deadline while it holds a limits.max_handshakes slot.
        await using var dc = new EchoDc();
        using var blackHole = new BlackHoleDc();
        var options = TestProxy.Options(
            dc, maskEndPoint: new IPEndPoint(IPAddress.Loopback, blackHole.Port), handshakeTimeout: TimeSpan.FromMilliseconds(300));
        await using var proxy = TestProxy.Start(options);
        using var socket = await SocketExtensions.ConnectAsync(proxy.EndPoint);

        await socket.SendAsync("GET / HTTP/1.1\r\n"u8.ToArray());

        await UserLimitServerTests.WaitForAsync(() => proxy.Context.Registry.Count == 1);
        var session = proxy.Context.Registry.Sessions.Single();
        await UserLimitServerTests.WaitForAsync(() => !session.InHandshake).WaitAsync(TimeSpan.FromSeconds(3));
        Assert.Equal(1, proxy.Context.Metrics.VerdictTotals()[(int)HandshakeVerdict.Timeout]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RunAsync_AbortedOrStoppedWhileTheMaskSiteConnects_EndsAtOnce(bool stop)
    {
        // The mask host's backlog is full, so the connect that masks the probe would hang for the whole minute of
        // upstream.connect_timeout, holding the session and its slot.
        await using var dc = new EchoDc();
        using var blackHole = new BlackHoleDc();
        var options = TestProxy.Options(
            dc, maskEndPoint: new IPEndPoint(IPAddress.Loopback, blackHole.Port), handshakeTimeout: TimeSpan.FromMilliseconds(300));
        await using var proxy = TestProxy.Start(options with { Upstream = options.Upstream with { ConnectTimeout = TimeSpan.FromMinutes(1) } });
        using var socket = await SocketExtensions.ConnectAsync(proxy.EndPoint);
        await socket.SendAsync("GET / HTTP/1.1\r\n"u8.ToArray());
        await UserLimitServerTests.WaitForAsync(() => proxy.Context.Registry.Count == 1);
        var session = proxy.Context.Registry.Sessions.Single();
        await UserLimitServerTests.WaitForAsync(() => !session.InHandshake);

        if (stop)
        {
            await proxy.Server.StopAsync(TimeSpan.Zero, CancellationToken.None);
        }
        else
        {
            session.Abort(SessionOutcome.IdleTimeout);
        }

        await UserLimitServerTests.WaitForAsync(() => proxy.Context.Registry.Count == 0);
        Assert.Equal(1, proxy.Context.Metrics.OutcomeTotals()[(int)(stop ? SessionOutcome.Shutdown : SessionOutcome.IdleTimeout)]);
    }

    [Fact]
    public async Task RunAsync_SilentAfterTheServerFlight_CountedAsAHandshakeTimeout()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var dc = new EchoDc();
        await using var proxy = TestProxy.Start(TestProxy.Options(dc, handshakeTimeout: TimeSpan.FromSeconds(10)), time: time);
        using var socket = await SocketExtensions.ConnectAsync(proxy.EndPoint);
        await TlsTunnel.OpenAsync(socket, TestProxy.AliceKey, TestProxy.Domain, CancellationToken.None);

        time.Advance(TimeSpan.FromSeconds(11));

        Assert.Empty(await socket.ReadToEndAsync());
        await AssertOutcomeAsync(proxy, SessionOutcome.ClientError);
        var verdicts = proxy.Context.Metrics.VerdictTotals();
        Assert.Equal(1, verdicts[(int)HandshakeVerdict.Timeout]);
        Assert.Equal(1, verdicts.Sum());
    }

    [Fact]
    public async Task RunAsync_ClientResetsMidHello_CountsOneVerdict()
    {
        await using var dc = new EchoDc();
        await using var mask = new FakeMaskSite(answerAfter: 10_000);
        await using var proxy = TestProxy.Start(TestProxy.Options(dc, mask));
        var socket = await SocketExtensions.ConnectAsync(proxy.EndPoint);
        var hello = TlsTunnel.BuildHello(TestProxy.AliceKey, TestProxy.Domain, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        await socket.SendAsync(hello.AsMemory(0, 100));
        await UserLimitServerTests.WaitForAsync(() => proxy.Context.Registry.Count == 1);

        socket.LingerState = new LingerOption(true, 0);
        socket.Dispose();

        await AssertOutcomeAsync(proxy, SessionOutcome.ClientError);
        Assert.Equal(1, proxy.Context.Metrics.VerdictTotals().Sum());
    }

    [Fact]
    public async Task RunAsync_MaskSiteResets_ClientIsResetToo()
    {
        await using var dc = new EchoDc();
        await using var resettingSite = new ResettingDc();
        var options = TestProxy.Options(dc, maskEndPoint: new IPEndPoint(IPAddress.Loopback, resettingSite.Port));
        await using var proxy = TestProxy.Start(options);
        using var socket = await SocketExtensions.ConnectAsync(proxy.EndPoint);

        // Not an init for any user (and not TLS): masked with all its bytes, after which the site resets.
        await socket.SendAsync(Enumerable.Repeat((byte)'x', 100).ToArray());

        var error = await Assert.ThrowsAsync<SocketException>(async () =>
        {
            var buffer = new byte[64];
            while (await socket.ReceiveAsync(buffer) > 0)
            {
            }
        });
        Assert.Equal(SocketError.ConnectionReset, error.SocketErrorCode);
        await AssertOutcomeAsync(proxy, SessionOutcome.Masked);
    }

    [Fact]
    public async Task RunAsync_ClientResetsMidStream_ClientErrorAndDcConnectionClosed()
    {
        await using var dc = new EchoDc();
        await using var proxy = TestProxy.Start(TestProxy.Options(dc));
        var client = await Client.ConnectTlsAsync(proxy.EndPoint, TestProxy.AliceKey);
        var frame = Frames.Build(ProtocolTag.PaddedIntermediate, [64]);
        await client.SendAsync(frame, default);
        await client.ReceiveAsync(frame.Length, default);

        client.Socket.LingerState = new LingerOption(true, 0);
        await client.DisposeAsync();

        // Linux may report a reset as a plain end of stream to the side that was only waiting to read.
        await WaitForNoSessionsAsync(proxy);
        var totals = proxy.Context.Metrics.OutcomeTotals();
        Assert.Equal(1, totals.Sum());
        Assert.Equal(1, totals[(int)SessionOutcome.ClientError] + totals[(int)SessionOutcome.Relayed]);
    }

    [Fact]
    public async Task RunAsync_EveryKindOfSession_LeavesNoSocketOrBufferBehind()
    {
        var pool = new CountingArrayPool();
        await using var dc = new EchoDc();
        await using var mask = new FakeMaskSite();
        var options = TestProxy.Options(dc, mask);
        await using var proxy = TestProxy.Start(options, new ProxyEnvironment(NullLoggerFactory.Instance) { Buffers = pool });
        await RunOneOfEachAsync(proxy);
        await WaitForNoSessionsAsync(proxy);
        var baseline = Descriptors.Open();

        for (var round = 0; round < 5; round++)
        {
            await RunOneOfEachAsync(proxy);
        }

        await WaitForNoSessionsAsync(proxy);
        Assert.Equal(0, pool.Outstanding);
        Assert.InRange(await Descriptors.WaitForAtMostAsync(baseline), 0, baseline + 4);
    }

    private static async Task RunOneOfEachAsync(TestProxy proxy)
    {
        await using (var tls = await Client.ConnectTlsAsync(proxy.EndPoint, TestProxy.AliceKey))
        {
            var frame = Frames.Build(ProtocolTag.PaddedIntermediate, [4096]);
            await tls.SendAsync(frame, default);
            await tls.ReceiveAsync(frame.Length, default);
        }

        await using (var classic = await Client.ConnectAsync(proxy.EndPoint, TestProxy.BobKey, ProtocolTag.Abridged, 1))
        {
            var frame = Frames.Build(ProtocolTag.Abridged, [512]);
            await classic.SendAsync(frame, default);
            await classic.ReceiveAsync(frame.Length, default);
            classic.Socket.Shutdown(SocketShutdown.Send);
            await classic.Socket.ReadToEndAsync();
        }

        using (var probe = await SocketExtensions.ConnectAsync(proxy.EndPoint))
        {
            await probe.SendAsync("GET / HTTP/1.1\r\n\r\n"u8.ToArray());
            await probe.ReadToEndAsync();
        }

        using (var reset = await SocketExtensions.ConnectAsync(proxy.EndPoint))
        {
            await reset.SendAsync(new byte[] { 0x16, 0x03, 0x01, 0x02 });
            reset.LingerState = new LingerOption(true, 0);
        }
    }

    internal static async Task AssertOutcomeAsync(TestProxy proxy, SessionOutcome outcome)
    {
        await WaitForNoSessionsAsync(proxy);
        var totals = proxy.Context.Metrics.OutcomeTotals();
        Assert.Equal(1, totals[(int)outcome]);
        Assert.Equal(1, totals.Sum());
    }

    internal static async Task WaitForNoSessionsAsync(TestProxy proxy)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (proxy.Context.Registry.Count != 0)
        {
            await Task.Delay(5, timeout.Token);
        }
    }

    private static int RunPortThatRefuses()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
