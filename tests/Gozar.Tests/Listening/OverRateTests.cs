using System.Security.Cryptography;
using Gozar.Configuration;
using Gozar.SelfTest;
using Gozar.Sessions;
using Gozar.Tests.Infrastructure;
using Gozar.Tests.Users;
using Microsoft.Extensions.Time.Testing;

namespace Gozar.Tests.Listening;

/// <summary>A client address over its connection rate (limits.per_ip_rate / per_ip_burst), without a PROXY header.</summary>
public class OverRateTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Accept_AuthenticatedClients_DoNotUseUpTheRate()
    {
        // A stopped clock and a burst of one: only given-back places let the second and third client in.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var dc = new EchoDc();
        await using var mask = new FakeMaskSite();
        await using var proxy = TestProxy.Start(Options(dc, mask, OverRateAction.Mask), time: time);

        for (var i = 0; i < 3; i++)
        {
            await using var client = await Client.ConnectTlsAsync(proxy.EndPoint, TestProxy.AliceKey);
            await UserLimitServerTests.EchoAsync(client);
        }

        Assert.Equal(3, proxy.Context.Metrics.VerdictTotals()[(int)HandshakeVerdict.Authenticated]);
        Assert.Equal(0, proxy.Context.Metrics.VerdictTotals()[(int)HandshakeVerdict.RateLimited]);
        Assert.Empty(mask.Received);
    }

    [Fact]
    public async Task Accept_HandshakesInFlightOverTheBurstWhereClientsAuthenticated_WarnsTheOperator()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var logs = new CapturingLoggerProvider();
        await using var dc = new EchoDc();
        await using var mask = new FakeMaskSite();
        await using var proxy = TestProxy.Start(Options(dc, mask, OverRateAction.Close), logs, time);
        await using (var client = await Client.ConnectTlsAsync(proxy.EndPoint, TestProxy.AliceKey))
        {
            await UserLimitServerTests.EchoAsync(client);
        }

        // A second client still in its handshake holds the burst of one (a relay's clients behind 127.0.0.1); the third
        // connection is refused, and the log says why and what to change.
        using var handshaking = await SocketExtensions.ConnectAsync(proxy.EndPoint);
        using var refused = await SocketExtensions.ConnectAsync(proxy.EndPoint);

        Assert.Empty(await refused.ReadToEndAsync().WaitAsync(Patience));
        await logs.WaitForLineAsync("limits.per_ip_burst").WaitAsync(Patience);
        var warning = Assert.Single(logs.Lines, line => line.Contains("limits.per_ip_burst", StringComparison.Ordinal));
        Assert.StartsWith("Warning: 1 new connection(s)", warning, StringComparison.Ordinal);
        Assert.Contains("PROXY protocol", warning, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.1", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Accept_OverRateMask_RelaysTheConnectionToTheMaskSite()
    {
        // A stopped clock: no bucket refills during the test.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var dc = new EchoDc();
        var hello = TlsTunnel.BuildHello(TestProxy.AliceKey, TestProxy.Domain, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        await using var mask = new FakeMaskSite(answerAfter: hello.Length);
        await using var proxy = TestProxy.Start(Options(dc, mask, OverRateAction.Mask), time: time);
        var probe = await ProbeAsync(proxy, hello.Length);

        // Even a hello with the right key goes to the mask site unread, as a probe's would.
        using var second = await SocketExtensions.ConnectAsync(proxy.EndPoint);
        await second.SendAsync(hello);

        Assert.Equal(FakeMaskSite.Response, await second.ReadToEndAsync().WaitAsync(Patience));
        Assert.Equal(new[] { probe, hello }, mask.Received);
        Assert.Equal(1, proxy.Context.Metrics.VerdictTotals()[(int)HandshakeVerdict.RateLimited]);
        Assert.Equal(0, proxy.Context.Metrics.VerdictTotals()[(int)HandshakeVerdict.Authenticated]);
    }

    [Fact]
    public async Task Accept_OverRateClose_ClosesBeforeReadingAByte()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var dc = new EchoDc();
        await using var mask = new FakeMaskSite();
        await using var proxy = TestProxy.Start(Options(dc, mask, OverRateAction.Close), time: time);
        await ProbeAsync(proxy, 1);

        using var second = await SocketExtensions.ConnectAsync(proxy.EndPoint);

        Assert.Empty(await second.ReadToEndAsync().WaitAsync(Patience));
        Assert.Single(mask.Received);
        Assert.Equal(1, proxy.Context.Metrics.VerdictTotals()[(int)HandshakeVerdict.RateLimited]);
    }

    /// <summary>A hello with a key the proxy does not know, of the given length or more: masked, and its place kept.</summary>
    private static async Task<byte[]> ProbeAsync(TestProxy proxy, int length)
    {
        var probe = TlsTunnel.BuildHello(RandomNumberGenerator.GetBytes(16), TestProxy.Domain, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        Assert.True(probe.Length >= length);
        using var socket = await SocketExtensions.ConnectAsync(proxy.EndPoint);
        await socket.SendAsync(probe);
        Assert.Equal(FakeMaskSite.Response, await socket.ReadToEndAsync().WaitAsync(Patience));
        Assert.Equal(1, proxy.Context.Metrics.VerdictTotals()[(int)HandshakeVerdict.BadHmac]);
        return probe;
    }

    private static ProxyOptions Options(EchoDc dc, FakeMaskSite mask, OverRateAction overRate)
    {
        var options = TestProxy.Options(dc, mask);
        // Loopback counts here (it is exempt by default): these clients come from 127.0.0.1.
        return options with { Limits = options.Limits with { PerIpRate = 1, PerIpBurst = 1, OverRate = overRate, PerIpExempt = [] } };
    }
}
