using System.Diagnostics.Metrics;
using Gozar.Configuration;
using Gozar.Hosting;
using Gozar.Protocol.Framing;
using Gozar.SelfTest;
using Gozar.Tests.Infrastructure;
using Gozar.Tests.Users;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gozar.Tests.Upstream.Middle;

public class MiddleStartupTests
{
    [Fact]
    public async Task TryStart_MissingSecretFileAndNoRefresh_FailsNamingTheKey()
    {
        await using var harness = new MiddleHarness();
        File.Delete(harness.SecretFile);

        var server = ProxyServer.TryStart(harness.Options(), new ProxyEnvironment(NullLoggerFactory.Instance), out var error);

        Assert.Null(server);
        Assert.StartsWith("upstream.middle.proxy_secret_file: cannot read", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TryStart_ShortSecret_FailsSayingWhy()
    {
        await using var harness = new MiddleHarness();
        File.WriteAllBytes(harness.SecretFile, new byte[16]);

        var server = ProxyServer.TryStart(harness.Options(), new ProxyEnvironment(NullLoggerFactory.Instance), out var error);

        Assert.Null(server);
        Assert.Contains("is 16 bytes; a proxy secret has 32..256", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TryStart_ConfigWithoutProxies_FailsNamingTheKey()
    {
        await using var harness = new MiddleHarness();
        harness.WriteConfig("default 2;\n");

        var server = ProxyServer.TryStart(harness.Options(), new ProxyEnvironment(NullLoggerFactory.Instance), out var error);

        Assert.Null(server);
        Assert.StartsWith("upstream.middle.proxy_config_file:", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public async Task Start_AdTagInDirectMode_WarnsThatItHasNoEffect(bool global, bool perUser)
    {
        await using var dc = new EchoDc();
        var options = TestProxy.Options(dc);
        options = options with
        {
            Upstream = options.Upstream with { AdTag = global ? MiddleHarness.AdTag : null },
            Users = [new UserOptions("alice", TestProxy.AliceKey, perUser ? MiddleHarness.BobAdTag : null)],
        };
        var log = new CapturingLoggerProvider();

        await using var proxy = TestProxy.Start(options, log);

        Assert.Contains("Warning: An ad tag is configured but upstream.mode = \"direct\"", log.Text, StringComparison.Ordinal);
        Assert.Contains("has no effect", log.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_AdTagInMiddleMode_NoWarning()
    {
        await using var harness = new MiddleHarness();
        var log = new CapturingLoggerProvider();

        await using var proxy = TestProxy.Start(harness.Options(adTag: MiddleHarness.AdTag), log);

        Assert.DoesNotContain("has no effect", log.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keepalive_IdleMeConnection_PingedAndLatencyRecorded()
    {
        // Tests in parallel publish to meters of the same name: measurements are kept with their meter and only this
        // proxy's are counted.
        var measured = new System.Collections.Concurrent.ConcurrentQueue<(Meter Meter, string Name, double Value)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Gozar" && instrument.Name is "gozar_me_latency" or "gozar_me_connections")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((instrument, value, _, _) => measured.Enqueue((instrument.Meter, instrument.Name, value)));
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => measured.Enqueue((instrument.Meter, instrument.Name, value)));
        listener.Start();
        await using var harness = new MiddleHarness();
        await using var proxy = TestProxy.Start(harness.Options(middle: m => m with { Keepalive = TimeSpan.FromMilliseconds(100) }));
        await using var client = await ConnectWithOneRoundTripAsync(proxy);

        await harness.Me.WaitUntilAsync(() => !harness.Me.Pings.IsEmpty);

        var mine = measured.Where(m => m.Meter == proxy.Context.Metrics.Meter).ToList();
        Assert.True(mine.Where(m => m.Name == "gozar_me_connections").Sum(m => m.Value) >= 1);
        Assert.Contains(mine, m => m.Name == "gozar_me_latency");
    }

    [Fact]
    public async Task Keepalive_MiddleEndStopsAnswering_ConnectionClosedItsClientsEndedAndReconnected()
    {
        await using var harness = new MiddleHarness();
        var log = new CapturingLoggerProvider();
        await using var proxy = TestProxy.Start(
            harness.Options(middle: m => m with { Keepalive = TimeSpan.FromMilliseconds(100), PongTimeout = TimeSpan.FromMilliseconds(300) }), log);
        await using var client = await ConnectWithOneRoundTripAsync(proxy);

        // The ME has answered a ping (its pong went out before it read the second), then it keeps its TCP connection
        // open but handles nothing more, pings included.
        await harness.Me.WaitUntilAsync(() => harness.Me.Pings.Count >= 2);
        harness.Me.Stalled = true;
        try
        {
            Assert.Empty(await client.Socket.ReadToEndAsync());
            await harness.Me.WaitUntilAsync(() => harness.Me.Handshaken >= 2);
        }
        finally
        {
            harness.Me.Unstall();
        }

        // The pool schedules its reconnect just before it logs the loss.
        await UserLimitServerTests.WaitForAsync(() => log.Text.Contains("no answer to a keepalive ping", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Keepalive_MiddleEndThatNeverAnswersPings_ConnectionKept()
    {
        await using var harness = new MiddleHarness();
        harness.Me.AnswerPings = false;
        await using var proxy = TestProxy.Start(harness.Options(middle: m => m with { Keepalive = TimeSpan.FromMilliseconds(100) }));
        await using var client = await ConnectWithOneRoundTripAsync(proxy);

        await harness.Me.WaitUntilAsync(() => harness.Me.Pings.Count >= 4);

        var packet = MiddleFrames.Packet(128);
        await client.SendPacketAsync(ProtocolTag.Abridged, packet);
        Assert.Equal(packet, await client.ReadPacketAsync(ProtocolTag.Abridged));
        Assert.Equal(1, harness.Me.Handshaken);
        Assert.Equal(0, harness.Me.Disconnected);
    }

    [Fact]
    public async Task Keepalive_PongsSlowerThanTheInterval_ConnectionKept()
    {
        await using var harness = new MiddleHarness();
        harness.Me.PongDelay = TimeSpan.FromMilliseconds(300);
        var log = new CapturingLoggerProvider();
        await using var proxy = TestProxy.Start(
            harness.Options(middle: m => m with { Keepalive = TimeSpan.FromMilliseconds(100), PongTimeout = TimeSpan.FromSeconds(5) }), log);
        await using var client = await ConnectWithOneRoundTripAsync(proxy);

        await harness.Me.WaitUntilAsync(() => harness.Me.Pings.Count >= 4);

        Assert.DoesNotContain("no answer to a keepalive ping", log.Text, StringComparison.Ordinal);
        Assert.Equal(1, harness.Me.Handshaken);
        Assert.Equal(1, proxy.Context.Registry.Count);
    }

    /// <summary>A client whose first packet went through the ME and back, so an ME connection is up and in use.</summary>
    private static async Task<SelfTestClient> ConnectWithOneRoundTripAsync(TestProxy proxy)
    {
        var client = await Client.ConnectAsync(proxy.EndPoint, TestProxy.AliceKey, ProtocolTag.Abridged, 2);
        await client.SendPacketAsync(ProtocolTag.Abridged, MiddleFrames.Packet(64));
        await client.ReadPacketAsync(ProtocolTag.Abridged);
        return client;
    }
}
