using System.Net;
using Gozar.Configuration;
using Gozar.Protocol.Framing;
using Gozar.SelfTest;
using Gozar.Sessions;
using Gozar.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Gozar.Tests.Users;

/// <summary>Limits enforced by a real proxy on loopback: a refused client is masked like a probe.</summary>
public sealed class UserLimitServerTests : IAsyncDisposable
{
    private readonly EchoDc _dc = new();
    private readonly FakeMaskSite _mask = new();

    private ProxyOptions Options(UserOptions alice) =>
        TestProxy.Options(_dc, _mask) with { Users = [alice, new UserOptions("bob", TestProxy.BobKey)] };

    private static UserOptions Alice => new("alice", TestProxy.AliceKey);

    [Fact]
    public async Task Connect_DisabledUser_IsMaskedWhileOthersRelay()
    {
        await using var proxy = TestProxy.Start(Options(Alice with { Enabled = false }));

        await AssertMaskedAsync(proxy.EndPoint, TestProxy.AliceKey);
        await using var bob = await Client.ConnectAsync(proxy.EndPoint, TestProxy.BobKey, ProtocolTag.Intermediate, 2);
        await EchoAsync(bob);
        Assert.Equal(1, proxy.Context.Metrics.VerdictTotals()[(int)HandshakeVerdict.UserRejected]);
    }

    [Fact]
    public async Task Connect_OverMaxConnections_IsMaskedUntilOneCloses()
    {
        await using var proxy = TestProxy.Start(Options(Alice with { MaxConnections = 1 }));
        var first = await Client.ConnectAsync(proxy.EndPoint, TestProxy.AliceKey, ProtocolTag.Intermediate, 2);
        await EchoAsync(first);

        await AssertMaskedAsync(proxy.EndPoint, TestProxy.AliceKey);
        await EchoAsync(first);
        await first.DisposeAsync();
        await WaitForAsync(() => proxy.Context.Accounts.Find("alice")!.ActiveSessions == 0);

        await using var second = await Client.ConnectAsync(proxy.EndPoint, TestProxy.AliceKey, ProtocolTag.Intermediate, 2);
        await EchoAsync(second);
    }

    [Fact]
    public async Task Connect_OverMaxUniqueIps_IsMasked()
    {
        await using var proxy = TestProxy.Start(Options(Alice with { MaxUniqueIps = 1 }) with
        {
            Listen = [new IPEndPoint(IPAddress.Loopback, 0), new IPEndPoint(IPAddress.IPv6Loopback, 0)],
        });
        var endpoints = proxy.Endpoints;
        await using var v4 = await Client.ConnectAsync(endpoints[0], TestProxy.AliceKey, ProtocolTag.Intermediate, 2);
        await EchoAsync(v4);

        await AssertMaskedAsync(endpoints[1], TestProxy.AliceKey);
        await using var again = await Client.ConnectAsync(endpoints[0], TestProxy.AliceKey, ProtocolTag.Intermediate, 2);
        await EchoAsync(again);
    }

    [Fact]
    public async Task Relay_QuotaUsedUp_EndsTheSessionAndMasksTheNext()
    {
        await using var proxy = TestProxy.Start(Options(Alice with { Quota = 4096 }));
        await using var client = await Client.ConnectAsync(proxy.EndPoint, TestProxy.AliceKey, ProtocolTag.Intermediate, 2);
        await EchoAsync(client, 1024);
        Assert.Equal(1, proxy.Context.Registry.Count);

        await client.SendAsync(Frames.Build(ProtocolTag.Intermediate, [4096]), default);

        await client.Socket.ReadToEndAsync();
        await WaitForAsync(() => proxy.Context.Registry.Count == 0);
        Assert.Equal(1, proxy.Context.Metrics.OutcomeTotals()[(int)SessionOutcome.QuotaExhausted]);
        await AssertMaskedAsync(proxy.EndPoint, TestProxy.AliceKey);
        Assert.True(proxy.Users.Snapshot()[0].QuotaUsed >= 4096);
    }

    [Fact]
    public async Task Relay_UserExpires_EndsTheSessionWithinASecond()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var proxy = TestProxy.Start(Options(Alice with { Expires = time.GetUtcNow().AddMinutes(1) }), time: time);
        await using var client = await Client.ConnectAsync(proxy.EndPoint, TestProxy.AliceKey, ProtocolTag.Intermediate, 2);
        await EchoAsync(client);

        time.Advance(TimeSpan.FromMinutes(1));

        Assert.Empty(await client.Socket.ReadToEndAsync());
        await WaitForAsync(() => proxy.Context.Registry.Count == 0);
        Assert.Equal(1, proxy.Context.Metrics.OutcomeTotals()[(int)SessionOutcome.UserExpired]);
        await AssertMaskedAsync(proxy.EndPoint, TestProxy.AliceKey);
    }

    [Fact]
    public async Task Relay_TlsUserDisabled_IsMaskedBeforeAnyServerFlight()
    {
        await using var proxy = TestProxy.Start(Options(Alice with { Enabled = false }));

        await Assert.ThrowsAnyAsync<Exception>(() => Client.ConnectTlsAsync(proxy.EndPoint, TestProxy.AliceKey));

        await WaitForAsync(() => !_mask.Received.IsEmpty);
        Assert.Equal(0x16, Assert.Single(_mask.Received)[0]);
    }

    [Fact]
    public async Task Relay_BytesCountedPerUserAndDirection()
    {
        await using var proxy = TestProxy.Start(Options(Alice));
        await using (var client = await Client.ConnectAsync(proxy.EndPoint, TestProxy.AliceKey, ProtocolTag.Intermediate, 2))
        {
            await EchoAsync(client, 1000);
        }

        await WaitForAsync(() => proxy.Context.Registry.Count == 0);
        var alice = proxy.Users.Snapshot()[0];
        Assert.True(alice.BytesUp >= 1000 + 4, $"up {alice.BytesUp}");
        Assert.Equal(1004, alice.BytesDown);
        Assert.Equal(1, alice.SessionsTotal);
        Assert.Equal(0, proxy.Users.Snapshot()[1].BytesUp);
    }

    internal static async Task AssertMaskedAsync(IPEndPoint proxy, byte[] key)
    {
        await using var client = await Client.ConnectAsync(proxy, key, ProtocolTag.Intermediate, 2);
        Assert.Equal(FakeMaskSite.Response, await client.Socket.ReadToEndAsync());
    }

    internal static async Task EchoAsync(SelfTestClient client, int size = 64)
    {
        var frame = Frames.Build(ProtocolTag.Intermediate, [size]);
        var echo = client.ReceiveAsync(frame.Length, default);
        await client.SendAsync(frame, default);
        Assert.Equal(frame, await echo.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    internal static async Task WaitForAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            await Task.Delay(5, timeout.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _mask.DisposeAsync();
        await _dc.DisposeAsync();
    }
}
