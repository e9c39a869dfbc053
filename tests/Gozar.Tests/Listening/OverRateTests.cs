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
    public async Task Accept_OverRateMask_RelaysTheConnectionToTheMaskSite()
    {
        // A stopped clock: no bucket refills during the test.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var dc = new EchoDc();
        var hello = TlsTunnel.BuildHello(TestProxy.AliceKey, TestProxy.Domain, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        await using var mask = new FakeMaskSite(answerAfter: hello.Length);
        await using var proxy = TestProxy.Start(Options(dc, mask, OverRateAction.Mask), time: time);
        await using (var first = await Client.ConnectTlsAsync(proxy.EndPoint, TestProxy.AliceKey))
        {
            await UserLimitServerTests.EchoAsync(first);
        }

        // Even a hello with the right key goes to the mask site unread, as a probe's would.
        using var second = await SocketExtensions.ConnectAsync(proxy.EndPoint);
        await second.SendAsync(hello);

        Assert.Equal(FakeMaskSite.Response, await second.ReadToEndAsync().WaitAsync(Patience));
        Assert.Equal(hello, Assert.Single(mask.Received));
        Assert.Equal(1, proxy.Context.Metrics.VerdictTotals()[(int)HandshakeVerdict.RateLimited]);
        Assert.Equal(1, proxy.Context.Metrics.VerdictTotals()[(int)HandshakeVerdict.Authenticated]);
    }

    [Fact]
    public async Task Accept_OverRateClose_ClosesBeforeReadingAByte()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var dc = new EchoDc();
        await using var mask = new FakeMaskSite();
        await using var proxy = TestProxy.Start(Options(dc, mask, OverRateAction.Close), time: time);
        await using (var first = await Client.ConnectTlsAsync(proxy.EndPoint, TestProxy.AliceKey))
        {
            await UserLimitServerTests.EchoAsync(first);
        }

        using var second = await SocketExtensions.ConnectAsync(proxy.EndPoint);

        Assert.Empty(await second.ReadToEndAsync().WaitAsync(Patience));
        Assert.Empty(mask.Received);
        Assert.Equal(1, proxy.Context.Metrics.VerdictTotals()[(int)HandshakeVerdict.RateLimited]);
    }

    private static ProxyOptions Options(EchoDc dc, FakeMaskSite mask, OverRateAction overRate)
    {
        var options = TestProxy.Options(dc, mask);
        return options with { Limits = options.Limits with { PerIpRate = 1, PerIpBurst = 1, OverRate = overRate } };
    }
}
