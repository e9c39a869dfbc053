using Gozar.Configuration;
using Gozar.Protocol.Framing;
using Gozar.SelfTest;
using Gozar.Tests.Infrastructure;

namespace Gozar.Tests.Upstream.Middle;

/// <summary>Reloads that change upstream.mode or [upstream.middle], through a real proxy and a fake middle-end.</summary>
public sealed class MiddleReloadTests
{
    private const ProtocolTag Tag = ProtocolTag.Intermediate;

    [Fact]
    public async Task Apply_DirectToMiddleAndBack_NewSessionsSwitchOpenOnesKeepTheirsAndTheOldPoolCloses()
    {
        await using var harness = new MiddleHarness();
        var middleOptions = harness.Options();
        var directOptions = middleOptions with { Upstream = middleOptions.Upstream with { Mode = UpstreamMode.Direct } };
        await using var proxy = TestProxy.Start(directOptions);
        await using var direct = await Client.ConnectAsync(proxy.EndPoint, TestProxy.AliceKey, Tag, 2);
        await RoundTripAsync(direct);

        var toMiddle = proxy.Server.Apply(middleOptions);

        Assert.True(toMiddle.Succeeded, toMiddle.Error);
        Assert.Contains("upstream middle for new connections; open sessions keep theirs", toMiddle.Changes);
        var pool = proxy.Server.Context.Middle;
        Assert.NotNull(pool);
        await using var viaMiddle = await Client.ConnectAsync(proxy.EndPoint, TestProxy.AliceKey, Tag, 2);
        await RoundTripAsync(viaMiddle);
        Assert.Single(harness.Me.Requests);
        await RoundTripAsync(direct);
        Assert.Single(harness.Me.Requests);

        var toDirect = proxy.Server.Apply(directOptions);

        Assert.True(toDirect.Succeeded, toDirect.Error);
        Assert.Null(proxy.Server.Context.Middle);
        await using (var later = await Client.ConnectAsync(proxy.EndPoint, TestProxy.AliceKey, Tag, 2))
        {
            await RoundTripAsync(later);
        }

        Assert.Single(harness.Me.Requests);
        await RoundTripAsync(viaMiddle);
        Assert.Equal(2, harness.Me.Requests.Count);
        Assert.False(pool.Disposed.IsCompleted);
        Assert.Equal(0, harness.Me.Disconnected);

        await viaMiddle.DisposeAsync();

        await pool.Disposed.WaitAsync(TimeSpan.FromSeconds(20));
        await harness.Me.WaitUntilAsync(() => harness.Me.Disconnected > 0 && harness.Me.Disconnected == harness.Me.Handshaken);
        await RoundTripAsync(direct);
    }

    [Fact]
    public async Task Apply_OtherMiddleEndList_NewSessionsUseTheNewMiddleEndsAndTheOldOnesClose()
    {
        await using var first = new MiddleHarness();
        await using var second = new MiddleHarness();
        await using var proxy = TestProxy.Start(first.Options());
        var firstPool = proxy.Server.Context.Middle!;
        await using var early = await Client.ConnectAsync(proxy.EndPoint, TestProxy.AliceKey, Tag, 2);
        await RoundTripAsync(early);

        var unrelated = proxy.Server.Apply(first.Options() with { Users = [new UserOptions("alice", TestProxy.AliceKey)] });
        Assert.True(unrelated.Succeeded, unrelated.Error);
        Assert.Same(firstPool, proxy.Server.Context.Middle);

        var result = proxy.Server.Apply(second.Options());

        Assert.True(result.Succeeded, result.Error);
        await using (var late = await Client.ConnectAsync(proxy.EndPoint, TestProxy.AliceKey, Tag, 2))
        {
            await RoundTripAsync(late);
        }

        Assert.Single(second.Me.Requests);
        await RoundTripAsync(early);
        Assert.Equal(2, first.Me.Requests.Count);
        await early.DisposeAsync();
        await firstPool.Disposed.WaitAsync(TimeSpan.FromSeconds(20));
        await first.Me.WaitUntilAsync(() => first.Me.Disconnected > 0 && first.Me.Disconnected == first.Me.Handshaken);
        Assert.Equal(0, second.Me.Disconnected);
    }

    [Fact]
    public async Task Apply_MiddleWithMissingSecretFile_RefusedNamingTheKeyAndDirectKeepsRunning()
    {
        await using var harness = new MiddleHarness();
        var middleOptions = harness.Options();
        var directOptions = middleOptions with { Upstream = middleOptions.Upstream with { Mode = UpstreamMode.Direct } };
        await using var proxy = TestProxy.Start(directOptions);
        File.Delete(harness.SecretFile);

        var result = proxy.Server.Apply(middleOptions);

        Assert.False(result.Succeeded);
        Assert.Contains("upstream.middle.proxy_secret_file", result.Error, StringComparison.Ordinal);
        Assert.Null(proxy.Server.Context.Middle);
        await using var client = await Client.ConnectAsync(proxy.EndPoint, TestProxy.AliceKey, Tag, 2);
        await RoundTripAsync(client);
        Assert.Empty(harness.Me.Requests);
    }

    /// <summary>A packet out and the same packet back: echoed by the fake DC (direct) or the fake ME (middle).</summary>
    private static async Task RoundTripAsync(SelfTestClient client)
    {
        var packet = MiddleFrames.Packet(256);
        await client.SendPacketAsync(Tag, packet);
        Assert.Equal(packet, await client.ReadPacketAsync(Tag));
    }
}
