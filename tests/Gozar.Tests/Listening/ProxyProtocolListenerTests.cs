using System.Net;
using System.Net.Sockets;
using Gozar.Configuration;
using Gozar.Hosting;
using Gozar.Protocol.Framing;
using Gozar.Protocol.Tests.ProxyProtocol;
using Gozar.SelfTest;
using Gozar.Sessions;
using Gozar.Tests.Infrastructure;
using Gozar.Tests.Users;
using Microsoft.Extensions.Time.Testing;

namespace Gozar.Tests.Listening;

/// <summary>A [proxy_protocol] listener on loopback, with loopback as the trusted load balancer or as a stranger.</summary>
public class ProxyProtocolListenerTests
{
    private static readonly IPEndPoint Client4 = IPEndPoint.Parse("192.0.2.10:51234");
    private static readonly IPEndPoint Front4 = IPEndPoint.Parse("198.51.100.7:443");
    private static readonly IPEndPoint Client6 = IPEndPoint.Parse("[2001:db8::10]:51234");
    private static readonly IPEndPoint Front6 = IPEndPoint.Parse("[2001:db8:1::7]:443");

    /// <summary>Every kind of header, and the client address the session should log for it.</summary>
    public static TheoryData<string, string> Kinds => new()
    {
        { "v1-tcp4", "client=192.0.2.10:51234" },
        { "v1-tcp6", "client=[2001:db8::10]:51234" },
        { "v1-unknown", "client=127.0.0.1:" },
        { "v2-inet", "client=192.0.2.10:51234" },
        { "v2-inet6", "client=[2001:db8::10]:51234" },
        { "v2-local", "client=127.0.0.1:" },
        { "v2-unspec", "client=127.0.0.1:" },
    };

    public static TheoryData<string> KindNames => ["v1-tcp4", "v1-tcp6", "v1-unknown", "v2-inet", "v2-inet6", "v2-local", "v2-unspec"];

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Accept_TrustedSourceWithHeader_ServesTheClientAndLogsItsAddress(string kind, string logged)
    {
        var logs = new CapturingLoggerProvider();
        await using var dc = new EchoDc();
        await using var mask = new FakeMaskSite();
        await using (var proxy = TestProxy.Start(Options(dc, mask, "127.0.0.1/32"), logs))
        {
            await using var client = await ConnectThroughHeaderAsync(proxy, Header(kind), TestProxy.AliceKey);
            await AssertEchoesAsync(client);
            client.Socket.Shutdown(SocketShutdown.Send);
            Assert.Empty(await client.Socket.ReadToEndAsync());
            await WaitForSessionsAsync(proxy, 0);
            Assert.Equal(1, proxy.Context.Metrics.VerdictTotals()[(int)HandshakeVerdict.Authenticated]);
        }

        var finished = Assert.Single(logs.Lines, l => l.Contains("Session Relayed", StringComparison.Ordinal));
        Assert.Contains(logged, finished, StringComparison.Ordinal);
        Assert.Empty(mask.Received);
    }

    [Fact]
    public async Task Accept_HeaderInSevenByteWrites_ServesTheClient()
    {
        await using var dc = new EchoDc();
        await using var proxy = TestProxy.Start(Options(dc, mask: null, "127.0.0.0/8"));
        var hello = TlsTunnel.BuildHello(TestProxy.BobKey, TestProxy.Domain, Now);
        var writes = ProxyHeaderBytes.V2(Client6, Front6, ProxyHeaderBytes.Tlv(0x04, 40)).Chunk(7).Append(hello).ToList();

        await using var client = await ConnectAsync(proxy, TestProxy.BobKey, hello, writes);

        await AssertEchoesAsync(client);
    }

    [Theory]
    [MemberData(nameof(KindNames))]
    public async Task Accept_UntrustedSource_MaskedWithEveryByteItSent(string kind)
    {
        await using var dc = new EchoDc();
        var sent = (byte[])[.. Header(kind), .. TlsTunnel.BuildHello(TestProxy.AliceKey, TestProxy.Domain, Now)];
        await using var mask = new FakeMaskSite(answerAfter: sent.Length);
        await using var proxy = TestProxy.Start(Options(dc, mask, "10.0.0.0/8", "::1/128"));

        Assert.Equal(FakeMaskSite.Response, await SendAndReadToEndAsync(proxy, sent));

        Assert.Equal(sent, Assert.Single(mask.Received));
        Assert.Empty(dc.Inits);
        Assert.Equal(1, proxy.Context.Metrics.VerdictTotals()[(int)HandshakeVerdict.UntrustedProxySource]);
    }

    [Fact]
    public async Task Accept_TrustedSourceWithoutHeader_ClosedNotMaskedAndWarned()
    {
        var logs = new CapturingLoggerProvider();
        await using var dc = new EchoDc();
        await using var mask = new FakeMaskSite();
        await using var proxy = TestProxy.Start(Options(dc, mask, "127.0.0.1/32"), logs);

        var answer = await SendAndReadToEndAsync(proxy, TlsTunnel.BuildHello(TestProxy.AliceKey, TestProxy.Domain, Now));

        Assert.Empty(answer);
        Assert.Empty(mask.Received);
        Assert.Empty(dc.Inits);
        Assert.Equal(1, proxy.Context.Metrics.VerdictTotals()[(int)HandshakeVerdict.BadProxyHeader]);
        Assert.Contains(logs.Lines, l => l.Contains("no valid PROXY protocol header", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Accept_TrustedSourceStallingMidHeader_ClosedAtTheHandshakeDeadline()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var dc = new EchoDc();
        await using var mask = new FakeMaskSite(answerAfter: 0);
        var options = Options(dc, mask, "127.0.0.1/32") with { Timeouts = new TimeoutOptions { Handshake = TimeSpan.FromSeconds(10) } };
        await using var proxy = TestProxy.Start(options, time: time);
        using var socket = await SocketExtensions.ConnectAsync(proxy.EndPoint);
        await socket.SendAsync("PROXY TCP4 192.0.2.10 "u8.ToArray());
        await WaitForSessionsAsync(proxy, 1);

        time.Advance(TimeSpan.FromSeconds(11));

        Assert.Empty(await socket.ReadToEndAsync());
        Assert.Empty(mask.Received);
        Assert.Equal(1, proxy.Context.Metrics.VerdictTotals()[(int)HandshakeVerdict.Timeout]);
    }

    [Fact]
    public async Task Accept_RateLimiter_CountsTheAddressFromTheHeader()
    {
        // A stopped clock: no bucket refills during the test.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var dc = new EchoDc();
        var hello = TlsTunnel.BuildHello(RandomNumberGenerator(), TestProxy.Domain, Now);
        await using var mask = new FakeMaskSite(answerAfter: hello.Length);
        var options = Options(dc, mask, "127.0.0.1/32");
        options = options with { Limits = options.Limits with { PerIpRate = 1, PerIpBurst = 2 } };
        await using var proxy = TestProxy.Start(options, time: time);

        // Connections that authenticate give their place back: with a burst of two and a stopped clock, these two alone
        // would have used it up.
        await using (var first = await ConnectThroughHeaderAsync(proxy, ProxyHeaderBytes.V1(Client4, Front4), TestProxy.AliceKey))
        await using (var second = await ConnectThroughHeaderAsync(proxy, ProxyHeaderBytes.V2(Client4, Front4), TestProxy.AliceKey))
        {
            await AssertEchoesAsync(first);
            await AssertEchoesAsync(second);
        }

        // Two probes from the same client use its burst; then even a correctly keyed hello is over its rate and goes to
        // the mask site unread, though all come from 127.0.0.1.
        var probe = TlsTunnel.BuildHello(RandomNumberGenerator(), TestProxy.Domain, Now);
        Assert.Equal(FakeMaskSite.Response, await SendAndReadToEndAsync(proxy, [.. ProxyHeaderBytes.V1(Client4, Front4), .. probe]));
        Assert.Equal(FakeMaskSite.Response, await SendAndReadToEndAsync(proxy, [.. ProxyHeaderBytes.V2(Client4, Front4), .. hello]));
        var keyed = TlsTunnel.BuildHello(TestProxy.AliceKey, TestProxy.Domain, Now);
        Assert.Equal(FakeMaskSite.Response, await SendAndReadToEndAsync(proxy, [.. ProxyHeaderBytes.V1(Client4, Front4), .. keyed]));
        Assert.Equal(new[] { probe, hello, keyed }, mask.Received);
        Assert.Equal(2, proxy.Context.Metrics.VerdictTotals()[(int)HandshakeVerdict.BadHmac]);
        Assert.Equal(1, proxy.Context.Metrics.VerdictTotals()[(int)HandshakeVerdict.RateLimited]);

        // Another client behind the same load balancer is still welcome.
        await using var other = await ConnectThroughHeaderAsync(
            proxy, ProxyHeaderBytes.V2(IPEndPoint.Parse("192.0.2.11:4000"), Front4), TestProxy.AliceKey);
        await AssertEchoesAsync(other);
    }

    [Fact]
    public async Task Accept_HeaderFinishingPastTheHandshakeDeadline_EndsTheSessionWithoutFailing()
    {
        // The header's last bytes come in after the handshake deadline but before its timer ran (a busy thread pool, a
        // GC pause): the clock says it took longer than timeouts.handshake, so no time is left for the hello.
        var logs = new CapturingLoggerProvider();
        var time = new JumpingTime();
        await using var dc = new EchoDc();
        await using var mask = new FakeMaskSite();
        var options = Options(dc, mask, "127.0.0.1/32");
        await using var proxy = TestProxy.Start(options, new ProxyEnvironment(logs) { Time = time });
        using var socket = await SocketExtensions.ConnectAsync(proxy.EndPoint);
        await socket.SendAsync("PROXY TCP4 192.0.2.10 "u8.ToArray());
        await UserLimitServerTests.WaitForAsync(() => proxy.Context.Registry.Count == 1);

        time.Jump(options.Timeouts.Handshake + TimeSpan.FromMilliseconds(5));
        await socket.SendAsync((byte[])[.. "198.51.100.7 51234 443\r\n"u8, .. TlsTunnel.BuildHello(TestProxy.AliceKey, TestProxy.Domain, Now)]);

        // Whether the hello already read is answered before the spent deadline fires or masked after, the session ends:
        // it neither fails nor waits without a deadline.
        var answer = await socket.ReadToEndAsync();
        Assert.True(answer.Length > 0 && (answer[0] == 0x16 || answer.SequenceEqual(FakeMaskSite.Response)), Convert.ToHexString(answer));
        await UserLimitServerTests.WaitForAsync(() => proxy.Context.Registry.Count == 0);
        Assert.DoesNotContain(logs.Lines, line => line.Contains("failed unexpectedly", StringComparison.Ordinal));
    }

    private static byte[] RandomNumberGenerator() => System.Security.Cryptography.RandomNumberGenerator.GetBytes(16);

    private static ProxyOptions Options(EchoDc dc, FakeMaskSite? mask, params string[] trusted)
    {
        var options = TestProxy.Options(dc, mask);
        return options with
        {
            ProxyProtocol = new ProxyProtocolOptions { Listeners = options.Listen, Trusted = [.. trusted.Select(IPNetwork.Parse)] },
            Log = new LogOptions { ClientIps = true, Level = LogLevelOption.Debug },
        };
    }

    private static byte[] Header(string kind) => kind switch
    {
        "v1-tcp4" => ProxyHeaderBytes.V1(Client4, Front4),
        "v1-tcp6" => ProxyHeaderBytes.V1(Client6, Front6),
        "v1-unknown" => "PROXY UNKNOWN\r\n"u8.ToArray(),
        "v2-inet" => ProxyHeaderBytes.V2(Client4, Front4),
        "v2-inet6" => ProxyHeaderBytes.V2(Client6, Front6, ProxyHeaderBytes.Tlv(0x05, 16)),
        "v2-local" => ProxyHeaderBytes.V2Local(),
        "v2-unspec" => ProxyHeaderBytes.V2Raw(0x21, 0x00, []),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>A fake-TLS client whose load balancer put <paramref name="header"/> in the same TCP write as the hello.</summary>
    private static Task<SelfTestClient> ConnectThroughHeaderAsync(TestProxy proxy, byte[] header, byte[] key)
    {
        var hello = TlsTunnel.BuildHello(key, TestProxy.Domain, Now);
        return ConnectAsync(proxy, key, hello, [[.. header, .. hello]]);
    }

    private static Task<SelfTestClient> ConnectAsync(TestProxy proxy, byte[] key, byte[] hello, IReadOnlyList<byte[]> writes) =>
        SelfTestClient.ConnectAsync(
            proxy.EndPoint, key, ProtocolTag.PaddedIntermediate, 2,
            socket => TlsTunnel.OpenAsync(socket, key, TlsTunnel.ClientRandomOf(hello), writes, CancellationToken.None),
            CancellationToken.None);

    private static async Task AssertEchoesAsync(SelfTestClient client)
    {
        var frame = Frames.Build(ProtocolTag.PaddedIntermediate, [1024, 16]);
        var echo = client.ReceiveAsync(frame.Length, default);
        await client.SendAsync(frame, default);
        Assert.Equal(frame, await echo.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    private static async Task<byte[]> SendAndReadToEndAsync(TestProxy proxy, byte[] bytes)
    {
        using var socket = await SocketExtensions.ConnectAsync(proxy.EndPoint);
        await socket.SendAsync(bytes);
        return await socket.ReadToEndAsync();
    }

    private static async Task WaitForSessionsAsync(TestProxy proxy, int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (proxy.Context.Registry.Count != count)
        {
            await Task.Delay(10, timeout.Token);
        }
    }
}

/// <summary>Real timers, and a clock the test can move forward: a deadline that has passed but whose timer has not run.</summary>
internal sealed class JumpingTime : TimeProvider
{
    private long _offset;

    public void Jump(TimeSpan by) => Interlocked.Add(ref _offset, (long)(by.TotalSeconds * System.TimestampFrequency));

    public override long GetTimestamp() => System.GetTimestamp() + Interlocked.Read(ref _offset);

    public override long TimestampFrequency => System.TimestampFrequency;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        System.CreateTimer(callback, state, dueTime, period);
}
