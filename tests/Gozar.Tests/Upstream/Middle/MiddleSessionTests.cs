using System.Net;
using Gozar.Protocol.Framing;
using Gozar.Protocol.MiddleProxy;
using Gozar.SelfTest;
using Gozar.Sessions;
using Gozar.Tests.Infrastructure;
using Gozar.Tests.Users;

namespace Gozar.Tests.Upstream.Middle;

/// <summary>Clients of every transport through a real Gozar in middle mode to the fake middle-end (spec §7).</summary>
public class MiddleSessionTests
{
    public enum Transport
    {
        Abridged,
        Intermediate,
        Padded,
        FakeTls,
    }

    public static TheoryData<Transport, int> TransportsAndSizes()
    {
        var data = new TheoryData<Transport, int>();
        foreach (var transport in Enum.GetValues<Transport>())
        {
            foreach (var size in new[] { 64, 1024, 40 * 1024 })
            {
                data.Add(transport, size);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(TransportsAndSizes))]
    public async Task Relay_Packet_ComesBackIntactWithFlagsAndAddressesOfTheSpec(Transport transport, int size)
    {
        await using var harness = new MiddleHarness();
        await using var proxy = TestProxy.Start(harness.Options());
        var tag = TagOf(transport);
        await using var client = await ConnectAsync(proxy, transport, TestProxy.AliceKey, 2);
        var packet = MiddleFrames.Packet(size);

        await client.SendPacketAsync(tag, packet);

        Assert.Equal(packet, await client.ReadPacketAsync(tag));
        var request = Assert.Single(harness.Me.Requests);
        Assert.Equal(packet, request.Packet);
        Assert.Equal(ExpectedFlags(tag), request.Flags);
        Assert.Null(request.Extra);
        var local = (IPEndPoint)client.Socket.LocalEndPoint!;
        Assert.Equal(Mapped(IPAddress.Loopback), request.ClientAddress);
        Assert.Equal(local.Port, request.ClientPort);
        Assert.Equal(Mapped(IPAddress.Loopback), request.ProxyAddress);
        Assert.Equal(proxy.EndPoint.Port, request.ProxyPort);
    }

    [Fact]
    public async Task Relay_GlobalAdTag_ArrivesExactlyInTheExtraBlock()
    {
        await using var harness = new MiddleHarness();
        await using var proxy = TestProxy.Start(harness.Options(adTag: MiddleHarness.AdTag));
        await using var client = await Client.ConnectAsync(proxy.EndPoint, TestProxy.AliceKey, ProtocolTag.Intermediate, 2);

        await client.SendPacketAsync(ProtocolTag.Intermediate, MiddleFrames.Packet(64));
        await client.ReadPacketAsync(ProtocolTag.Intermediate);

        var request = Assert.Single(harness.Me.Requests);
        Assert.Equal(ExpectedFlags(ProtocolTag.Intermediate) | ProxyRequest.HasAdTag, request.Flags);
        Assert.Equal(TagBlock(MiddleHarness.AdTag), request.Extra);
    }

    [Fact]
    public async Task Relay_UserAdTag_WinsOverTheGlobalOne()
    {
        await using var harness = new MiddleHarness();
        await using var proxy = TestProxy.Start(harness.Options(adTag: MiddleHarness.AdTag, bobAdTag: MiddleHarness.BobAdTag));
        await using var bob = await Client.ConnectAsync(proxy.EndPoint, TestProxy.BobKey, ProtocolTag.Abridged, 2);
        await using var alice = await Client.ConnectAsync(proxy.EndPoint, TestProxy.AliceKey, ProtocolTag.Abridged, 2);

        await bob.SendPacketAsync(ProtocolTag.Abridged, MiddleFrames.Packet(64));
        await bob.ReadPacketAsync(ProtocolTag.Abridged);
        await alice.SendPacketAsync(ProtocolTag.Abridged, MiddleFrames.Packet(64));
        await alice.ReadPacketAsync(ProtocolTag.Abridged);

        var requests = harness.Me.Requests.ToArray();
        Assert.Equal(TagBlock(MiddleHarness.BobAdTag), requests[0].Extra);
        Assert.Equal(TagBlock(MiddleHarness.AdTag), requests[1].Extra);
    }

    [Fact]
    public async Task Relay_ClientPaddingOfFourOrMore_ForwardedAsTheSpecSays()
    {
        await using var harness = new MiddleHarness();
        await using var proxy = TestProxy.Start(harness.Options());
        await using var client = await Client.ConnectAsync(proxy.EndPoint, TestProxy.AliceKey, ProtocolTag.PaddedIntermediate, 2);
        var packet = MiddleFrames.Packet(64);
        var frame = MiddleFrames.Frame(ProtocolTag.PaddedIntermediate, packet, paddingLength: 7);

        await client.SendAsync(frame, default);

        var forwarded = (await client.ReadPacketAsync(ProtocolTag.PaddedIntermediate)).ToArray();
        Assert.Equal(frame.AsSpan(4, 68).ToArray(), forwarded);
        Assert.Equal(forwarded, Assert.Single(harness.Me.Requests).Packet);
    }

    [Fact]
    public async Task Relay_UnencryptedPacket_SetsNotEncrypted()
    {
        await using var harness = new MiddleHarness();
        await using var proxy = TestProxy.Start(harness.Options());
        await using var client = await Client.ConnectAsync(proxy.EndPoint, TestProxy.AliceKey, ProtocolTag.Abridged, 2);
        var packet = MiddleFrames.Packet(40);
        packet.AsSpan(0, 8).Clear();

        await client.SendPacketAsync(ProtocolTag.Abridged, packet);
        await client.ReadPacketAsync(ProtocolTag.Abridged);

        Assert.Equal(0x40021002u, Assert.Single(harness.Me.Requests).Flags);
    }

    [Fact]
    public async Task Relay_ThreeInterleavedClients_ShareOneMeConnectionWithStableDistinctConnIds()
    {
        await using var harness = new MiddleHarness();
        await using var proxy = TestProxy.Start(harness.Options());
        var clients = new List<SelfTestClient>();
        for (var i = 0; i < 3; i++)
        {
            clients.Add(await Client.ConnectAsync(proxy.EndPoint, TestProxy.AliceKey, ProtocolTag.Intermediate, 2));
        }

        try
        {
            for (var round = 0; round < 3; round++)
            {
                var packets = clients.Select(_ => MiddleFrames.Packet(256)).ToArray();
                await Task.WhenAll(clients.Select((c, i) => c.SendPacketAsync(ProtocolTag.Intermediate, packets[i])));
                for (var i = 0; i < clients.Count; i++)
                {
                    Assert.Equal(packets[i], await clients[i].ReadPacketAsync(ProtocolTag.Intermediate));
                }
            }
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }

        var requests = harness.Me.Requests.ToArray();
        Assert.Equal(9, requests.Length);
        Assert.All(requests, r => Assert.Equal(1, r.Connection));
        Assert.Equal(3, requests.Select(r => r.ConnId).Distinct().Count());
        Assert.All(requests.GroupBy(r => r.ConnId), g => Assert.Equal(3, g.Count()));
    }

    [Theory]
    [InlineData(ProtocolTag.Abridged)]
    [InlineData(ProtocolTag.Intermediate)]
    [InlineData(ProtocolTag.PaddedIntermediate)]
    public async Task Relay_QuickAck_ReachesTheMeAndItsTokenComesBackInTheClientsByteOrder(ProtocolTag tag)
    {
        await using var harness = new MiddleHarness();
        harness.Me.Echo = false;
        await using var proxy = TestProxy.Start(harness.Options());
        await using var client = await Client.ConnectAsync(proxy.EndPoint, TestProxy.AliceKey, tag, 2);

        await client.SendPacketAsync(tag, MiddleFrames.Packet(64), quickAck: true);
        var request = await harness.Me.WaitForAsync(() => harness.Me.Requests.FirstOrDefault());
        await harness.Me.SendSimpleAckAsync(request.Connection, request.ConnId, 0x8a0b0c0d);

        Assert.Equal(ProxyRequest.QuickAck, request.Flags & ProxyRequest.QuickAck);
        var expected = tag == ProtocolTag.Abridged ? new byte[] { 0x8a, 0x0b, 0x0c, 0x0d } : [0x0d, 0x0c, 0x0b, 0x8a];
        Assert.Equal(expected, await client.ReadRawAsync(4));
    }

    [Fact]
    public async Task Relay_CloseExtRightAfterAnAnswer_AnswerIsWrittenThenClientClosed()
    {
        await using var harness = new MiddleHarness();
        harness.Me.Echo = false;
        await using var proxy = TestProxy.Start(harness.Options());
        await using var client = await Client.ConnectTlsAsync(proxy.EndPoint, TestProxy.AliceKey);

        await client.SendPacketAsync(ProtocolTag.PaddedIntermediate, MiddleFrames.Packet(64));
        var request = await harness.Me.WaitForAsync(() => harness.Me.Requests.FirstOrDefault());
        var answer = MiddleFrames.Packet(2048);
        await harness.Me.SendAnswerAsync(request.Connection, request.ConnId, answer);
        await harness.Me.SendWithIdAsync(request.Connection, RpcPacketType.CloseExt, request.ConnId);

        Assert.Equal(answer, await client.ReadPacketAsync(ProtocolTag.PaddedIntermediate));
        Assert.Empty(await client.Socket.ReadToEndAsync());
        Assert.Empty(harness.Me.ClosedConnIds);
    }

    [Fact]
    public async Task Relay_CloseExtWhileClientBytesAreUnread_TheLargeAnswerArrivesWholeThenTheEnd()
    {
        await using var harness = new MiddleHarness();
        harness.Me.Echo = false;
        await using var proxy = TestProxy.Start(harness.Options(middle: m => m with { SendQueueFrames = 16 }));
        await using var client = await Client.ConnectAsync(proxy.EndPoint, TestProxy.AliceKey, ProtocolTag.Intermediate, 2);
        await client.SendPacketAsync(ProtocolTag.Intermediate, MiddleFrames.Packet(64));
        var request = await harness.Me.WaitForAsync(() => harness.Me.Requests.FirstOrDefault());

        // The ME stops reading and the client uploads until everything on the way is full: the proxy holds client bytes
        // it has not read when the close comes.
        harness.Me.Stalled = true;
        using var stop = new CancellationTokenSource();
        try
        {
            var pushing = await UploadUntilStuckAsync(client, stop.Token);
            await stop.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pushing);

            // Larger than the socket buffers on the way, so that much of it is still in the proxy's when the close is handled.
            var answer = MiddleFrames.Packet(12 << 20);
            await harness.Me.SendAnswerAsync(request.Connection, request.ConnId, answer);
            await harness.Me.SendWithIdAsync(request.Connection, RpcPacketType.CloseExt, request.ConnId);

            Assert.Equal(answer, await client.ReadPacketAsync(ProtocolTag.Intermediate));
            Assert.Empty(await client.Socket.ReadToEndAsync());
        }
        finally
        {
            harness.Me.Unstall();
        }

        client.Socket.Dispose();
        await UserLimitServerTests.WaitForAsync(() => proxy.Context.Registry.Count == 0);
        Assert.Equal(1, proxy.Context.Metrics.OutcomeTotals()[(int)SessionOutcome.Relayed]);
    }

    [Fact]
    public async Task Relay_ClientLeaves_MeGetsCloseConnForItsConnId()
    {
        await using var harness = new MiddleHarness();
        await using var proxy = TestProxy.Start(harness.Options());
        var client = await Client.ConnectAsync(proxy.EndPoint, TestProxy.AliceKey, ProtocolTag.Abridged, 2);
        await client.SendPacketAsync(ProtocolTag.Abridged, MiddleFrames.Packet(64));
        await client.ReadPacketAsync(ProtocolTag.Abridged);
        var connId = Assert.Single(harness.Me.Requests).ConnId;

        await client.DisposeAsync();

        Assert.Equal(connId, await harness.Me.WaitForAsync(() => harness.Me.ClosedConnIds.IsEmpty ? null : (object)harness.Me.ClosedConnIds.First()));
    }

    [Fact]
    public async Task Relay_Packets_CountTowardsTheUsersTraffic()
    {
        await using var harness = new MiddleHarness();
        await using var proxy = TestProxy.Start(harness.Options());
        await using (var client = await Client.ConnectAsync(proxy.EndPoint, TestProxy.AliceKey, ProtocolTag.Intermediate, 2))
        {
            var packet = MiddleFrames.Packet(1024);
            await client.SendPacketAsync(ProtocolTag.Intermediate, packet);
            Assert.Equal(packet, await client.ReadPacketAsync(ProtocolTag.Intermediate));
        }

        await UserLimitServerTests.WaitForAsync(() => proxy.Context.Registry.Count == 0);
        var alice = proxy.Users.Snapshot()[0];
        Assert.Equal("alice", alice.Name);
        Assert.InRange(alice.BytesUp, 1024, 2048);
        Assert.InRange(alice.BytesDown, 1024, 2048);
        Assert.Equal(alice.BytesUp + alice.BytesDown, alice.QuotaUsed);
    }

    [Fact]
    public async Task Relay_QuotaUsedUp_EndsTheSession()
    {
        await using var harness = new MiddleHarness();
        var options = harness.Options();
        options = options with { Users = [options.Users[0] with { Quota = 4096 }, .. options.Users.Skip(1)] };
        await using var proxy = TestProxy.Start(options);
        await using var client = await Client.ConnectAsync(proxy.EndPoint, TestProxy.AliceKey, ProtocolTag.Intermediate, 2);
        await client.SendPacketAsync(ProtocolTag.Intermediate, MiddleFrames.Packet(1024));
        await client.ReadPacketAsync(ProtocolTag.Intermediate);

        await client.SendPacketAsync(ProtocolTag.Intermediate, MiddleFrames.Packet(4096));

        await client.Socket.ReadToEndAsync();
        await UserLimitServerTests.WaitForAsync(() => proxy.Context.Registry.Count == 0);
        Assert.Equal(1, proxy.Context.Metrics.OutcomeTotals()[(int)SessionOutcome.QuotaExhausted]);
    }

    [Fact]
    public async Task Relay_MiddleEndStopsReading_AnAbortStillEndsTheSession()
    {
        await using var harness = new MiddleHarness();
        await using var proxy = TestProxy.Start(harness.Options(middle: m => m with { SendQueueFrames = 16 }));
        await using var client = await Client.ConnectAsync(proxy.EndPoint, TestProxy.AliceKey, ProtocolTag.Intermediate, 2);
        var packet = MiddleFrames.Packet(64);
        await client.SendPacketAsync(ProtocolTag.Intermediate, packet);
        Assert.Equal(packet, await client.ReadPacketAsync(ProtocolTag.Intermediate));

        // The ME stops reading; the client uploads until the ME connection's queue and every kernel buffer on the way
        // are full, which shows as the client's sends making no progress.
        harness.Me.Stalled = true;
        using var stop = new CancellationTokenSource();
        Task? pushing = null;
        try
        {
            pushing = await UploadUntilStuckAsync(client, stop.Token);

            proxy.Context.Registry.AbortAll();

            await UserLimitServerTests.WaitForAsync(() => proxy.Context.Registry.Count == 0);
            Assert.Equal(0, proxy.Server.Users.Find("alice")!.ActiveSessions);
        }
        finally
        {
            // Whatever happened, the ME reads again, so that the proxy and the harness can stop.
            await stop.CancelAsync();
            harness.Me.Unstall();
        }

        await Assert.ThrowsAnyAsync<Exception>(() => pushing!);
    }

    /// <summary>
    /// Uploads 64 KiB frames until the client's sends make no progress (the proxy, its ME queue and every kernel buffer
    /// on the way are full); returns the upload, still running until <paramref name="stop"/>.
    /// </summary>
    private static async Task<Task> UploadUntilStuckAsync(SelfTestClient client, CancellationToken stop)
    {
        var frame = MiddleFrames.Frame(ProtocolTag.Intermediate, MiddleFrames.Packet(64 * 1024));
        long sent = 0;
        var pushing = Task.Run(async () =>
        {
            while (true)
            {
                await client.SendAsync(frame, stop);
                Interlocked.Add(ref sent, frame.Length);
            }
        });
        await WaitForNoProgressAsync(() => Interlocked.Read(ref sent));
        return pushing;
    }

    /// <summary>Returns once <paramref name="progress"/> stood still for half a second (at most 20 s).</summary>
    private static async Task WaitForNoProgressAsync(Func<long> progress)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var last = -1L;
        var still = 0;
        while (still < 50)
        {
            await Task.Delay(10, timeout.Token);
            var now = progress();
            still = now == last ? still + 1 : 0;
            last = now;
        }
    }

    [Fact]
    public async Task Relay_MePings_ProxyAnswersWithTheSameId()
    {
        await using var harness = new MiddleHarness();
        await using var proxy = TestProxy.Start(harness.Options());
        await using var client = await Client.ConnectAsync(proxy.EndPoint, TestProxy.AliceKey, ProtocolTag.Abridged, 2);
        await client.SendPacketAsync(ProtocolTag.Abridged, MiddleFrames.Packet(64));
        await client.ReadPacketAsync(ProtocolTag.Abridged);

        await harness.Me.SendWithIdAsync(1, RpcPacketType.Ping, 0x1122334455667788);

        Assert.Equal(0x1122334455667788L, await harness.Me.WaitForAsync(() => harness.Me.Pongs.IsEmpty ? null : (object)harness.Me.Pongs.First()));
    }

    [Fact]
    public async Task Relay_AnswerForUnknownConnId_IsDroppedAndClosedOnTheMe()
    {
        await using var harness = new MiddleHarness();
        await using var proxy = TestProxy.Start(harness.Options());
        await using var client = await Client.ConnectAsync(proxy.EndPoint, TestProxy.AliceKey, ProtocolTag.Intermediate, 2);
        await client.SendPacketAsync(ProtocolTag.Intermediate, MiddleFrames.Packet(64));
        await client.ReadPacketAsync(ProtocolTag.Intermediate);
        var stranger = harness.Me.Requests.First().ConnId ^ 0x5a5a;

        await harness.Me.SendAnswerAsync(1, stranger, MiddleFrames.Packet(64));
        await harness.Me.SendSimpleAckAsync(1, stranger, 0x80000001);
        var next = MiddleFrames.Packet(128);
        await client.SendPacketAsync(ProtocolTag.Intermediate, next);

        Assert.Equal(next, await client.ReadPacketAsync(ProtocolTag.Intermediate));
        await harness.Me.WaitUntilAsync(() => harness.Me.ClosedConnIds.Count(id => id == stranger) == 2);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Relay_Crc32COfferedAlways_DataFramesUseWhatTheMeGranted(bool grant)
    {
        await using var harness = new MiddleHarness(grantCrc32C: grant);
        await using var proxy = TestProxy.Start(harness.Options());
        await using var client = await Client.ConnectAsync(proxy.EndPoint, TestProxy.AliceKey, ProtocolTag.Intermediate, 2);
        var packet = MiddleFrames.Packet(1024);

        await client.SendPacketAsync(ProtocolTag.Intermediate, packet);

        Assert.Equal(packet, await client.ReadPacketAsync(ProtocolTag.Intermediate));
        Assert.Equal(RpcHandshake.Crc32CFlag, Assert.Single(harness.Me.OfferedFlags));
        Assert.Empty(harness.Me.Failures);
    }

    [Fact]
    public async Task Relay_MeConnectionKilled_ClientClosedAndConnectionReplaced()
    {
        await using var harness = new MiddleHarness();
        await using var proxy = TestProxy.Start(harness.Options());
        await using var first = await Client.ConnectAsync(proxy.EndPoint, TestProxy.AliceKey, ProtocolTag.Abridged, 2);
        await first.SendPacketAsync(ProtocolTag.Abridged, MiddleFrames.Packet(64));
        await first.ReadPacketAsync(ProtocolTag.Abridged);

        harness.Me.Kill(1);

        Assert.Empty(await first.Socket.ReadToEndAsync());
        await harness.Me.WaitUntilAsync(() => harness.Me.Handshaken == 2);
        await using var second = await Client.ConnectAsync(proxy.EndPoint, TestProxy.AliceKey, ProtocolTag.Abridged, 2);
        var packet = MiddleFrames.Packet(64);
        await second.SendPacketAsync(ProtocolTag.Abridged, packet);
        Assert.Equal(packet, await second.ReadPacketAsync(ProtocolTag.Abridged));
        Assert.Equal(2, harness.Me.Requests.Last().Connection);
    }

    [Fact]
    public async Task Relay_NatIp_UsedInTheKeysAndAsTheProxyAddress()
    {
        var nat = IPAddress.Parse("203.0.113.10");
        await using var harness = new MiddleHarness(natIp: nat);
        await using var proxy = TestProxy.Start(harness.Options(middle: m => m with { NatIp = nat }));
        await using var client = await Client.ConnectAsync(proxy.EndPoint, TestProxy.AliceKey, ProtocolTag.Abridged, 2);
        var packet = MiddleFrames.Packet(64);

        await client.SendPacketAsync(ProtocolTag.Abridged, packet);

        Assert.Equal(packet, await client.ReadPacketAsync(ProtocolTag.Abridged));
        Assert.Equal(Mapped(nat), Assert.Single(harness.Me.Requests).ProxyAddress);
    }

    [Fact]
    public async Task Relay_FirstMeOfTheDcDown_NextOneServes()
    {
        await using var harness = new MiddleHarness();
        harness.WriteConfig($"proxy_for 2 127.0.0.1:{DeadPort()};\nproxy_for 2 127.0.0.1:{harness.Me.Port};\ndefault 2;\n");
        await using var proxy = TestProxy.Start(harness.Options());
        await using var client = await Client.ConnectAsync(proxy.EndPoint, TestProxy.AliceKey, ProtocolTag.Abridged, 2);
        var packet = MiddleFrames.Packet(64);

        await client.SendPacketAsync(ProtocolTag.Abridged, packet);

        Assert.Equal(packet, await client.ReadPacketAsync(ProtocolTag.Abridged));
    }

    [Fact]
    public async Task Relay_NoMeReachable_ClientClosedAndCountedUnreachable()
    {
        await using var harness = new MiddleHarness();
        harness.WriteConfig($"proxy_for 2 127.0.0.1:{DeadPort()};\ndefault 2;\n");
        await using var proxy = TestProxy.Start(harness.Options());
        await using var client = await Client.ConnectAsync(proxy.EndPoint, TestProxy.AliceKey, ProtocolTag.Abridged, 2);

        Assert.Empty(await client.Socket.ReadToEndAsync());
        await proxy.Context.Registry.WaitUntilEmptyAsync(CancellationToken.None);
        Assert.Equal(1, proxy.Context.Metrics.OutcomeTotals()[(int)SessionOutcome.UpstreamUnreachable]);
    }

    [Theory]
    [InlineData(203, "b")]
    [InlineData(-2, "a")]
    [InlineData(5, "a")]
    public async Task Relay_SignedDc_ExactProxyForElseDefault(short dc, string expected)
    {
        await using var a = new MiddleHarness();
        await using var b = new FakeMiddleEnd(a.Secret);
        a.WriteConfig($"default 2;\nproxy_for 2 127.0.0.1:{a.Me.Port};\nproxy_for -2 127.0.0.1:{a.Me.Port};\nproxy_for 203 127.0.0.1:{b.Port};\n");
        await using var proxy = TestProxy.Start(a.Options());
        await using var client = await Client.ConnectAsync(proxy.EndPoint, TestProxy.AliceKey, ProtocolTag.Abridged, dc);

        await client.SendPacketAsync(ProtocolTag.Abridged, MiddleFrames.Packet(64));
        await client.ReadPacketAsync(ProtocolTag.Abridged);

        Assert.Equal(expected == "a" ? 1 : 0, a.Me.Requests.Count);
        Assert.Equal(expected == "b" ? 1 : 0, b.Requests.Count);
    }

    private static int DeadPort()
    {
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private static Task<SelfTestClient> ConnectAsync(TestProxy proxy, Transport transport, byte[] key, short dc) =>
        transport == Transport.FakeTls
            ? Client.ConnectTlsAsync(proxy.EndPoint, key, dc)
            : Client.ConnectAsync(proxy.EndPoint, key, TagOf(transport), dc);

    private static ProtocolTag TagOf(Transport transport) => transport switch
    {
        Transport.Abridged => ProtocolTag.Abridged,
        Transport.Intermediate => ProtocolTag.Intermediate,
        _ => ProtocolTag.PaddedIntermediate,
    };

    /// <summary>Spec §7.6 typical values for an encrypted packet without an ad tag.</summary>
    private static uint ExpectedFlags(ProtocolTag tag) => tag switch
    {
        ProtocolTag.Abridged => 0x40021000u,
        ProtocolTag.Intermediate => 0x20021000u,
        _ => 0x28021000u,
    };

    private static byte[] TagBlock(byte[] tag) => [0xae, 0x26, 0x1e, 0xdb, 0x10, .. tag, 0, 0, 0];

    private static byte[] Mapped(IPAddress address) => address.MapToIPv6().GetAddressBytes();
}
