using System.Buffers.Binary;
using System.Security.Cryptography;
using Gozar.Configuration;
using Gozar.Hosting;
using Gozar.Protocol.FakeTls;
using Gozar.Protocol.Framing;
using Gozar.SelfTest;
using Gozar.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Gozar.Tests.Sessions;

public class ClientSessionTlsTests
{
    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task RunAsync_TlsClient_OneMebibyteEchoesIntact(bool fastMode)
    {
        await using var dc = new EchoDc();
        await using var proxy = TestProxy.Start(TestProxy.Options(dc, fastMode: fastMode));
        await using var client = await Client.ConnectTlsAsync(proxy.EndPoint, TestProxy.AliceKey, dc: -2);

        var payload = Frames.Build(ProtocolTag.PaddedIntermediate, Enumerable.Repeat(8192, 128));
        var echo = client.ReceiveAsync(payload.Length, default);
        await client.SendAsync(payload, default);

        Assert.Equal(payload, await echo);
        Assert.Equal((ProtocolTag.PaddedIntermediate, (short)-2), Assert.Single(dc.Inits));
    }

    [Fact]
    public async Task RunAsync_ManySmallFrames_ArriveIntactInOrder()
    {
        await using var dc = new EchoDc();
        await using var proxy = TestProxy.Start(TestProxy.Options(dc, fastMode: false));
        await using var client = await Client.ConnectTlsAsync(proxy.EndPoint, TestProxy.BobKey);

        for (var round = 0; round < 200; round++)
        {
            var frame = Frames.Build(ProtocolTag.PaddedIntermediate, [4 * (1 + (round % 40))]);
            await client.SendAsync(frame, default);
            Assert.Equal(frame, await client.ReceiveAsync(frame.Length, default));
        }
    }

    [Fact]
    public async Task RunAsync_PostQuantumSizedHello_IsAccepted()
    {
        await using var dc = new EchoDc();
        await using var proxy = TestProxy.Start(TestProxy.Options(dc));
        var hello = TlsTunnel.BuildHello(TestProxy.BobKey, TestProxy.Domain, Now, ClientHelloShape.PostQuantum);
        Assert.True(hello.Length > 1500);

        await using var client = await ConnectWithHelloAsync(proxy, TestProxy.BobKey, hello, [hello]);
        await AssertEchoesAsync(client);
    }

    [Fact]
    public async Task RunAsync_HelloInTinyTcpWrites_IsAccepted()
    {
        await using var dc = new EchoDc();
        await using var proxy = TestProxy.Start(TestProxy.Options(dc));
        var hello = TlsTunnel.BuildHello(TestProxy.AliceKey, TestProxy.Domain, Now);
        var writes = hello.Chunk(7).ToList();

        await using var client = await ConnectWithHelloAsync(proxy, TestProxy.AliceKey, hello, writes);
        await AssertEchoesAsync(client);
    }

    [Fact]
    public async Task RunAsync_HelloSplitAcrossTlsRecords_IsAccepted()
    {
        await using var dc = new EchoDc();
        await using var proxy = TestProxy.Start(TestProxy.Options(dc));
        var hello = TlsTunnel.BuildHello(TestProxy.AliceKey, TestProxy.Domain, Now);

        await using var client = await ConnectWithHelloAsync(proxy, TestProxy.AliceKey, hello, [SplitIntoRecords(hello, 100)]);
        await AssertEchoesAsync(client);
    }

    [Fact]
    public async Task RunAsync_WrongKey_HelloReachesMaskUnchanged()
    {
        await using var dc = new EchoDc();
        var hello = TlsTunnel.BuildHello(RandomNumberGenerator.GetBytes(16), TestProxy.Domain, Now);
        await using var mask = new FakeMaskSite(answerAfter: hello.Length);
        await using var proxy = TestProxy.Start(TestProxy.Options(dc, mask));

        Assert.Equal(FakeMaskSite.Response, await SendAndReadToEndAsync(proxy, hello));
        Assert.Equal(hello, Assert.Single(mask.Received));
        Assert.Empty(dc.Inits);
    }

    [Fact]
    public async Task RunAsync_UnknownSni_IsMasked()
    {
        await using var dc = new EchoDc();
        var hello = TlsTunnel.BuildHello(TestProxy.AliceKey, "other.example", Now);
        await using var mask = new FakeMaskSite(answerAfter: hello.Length);
        await using var proxy = TestProxy.Start(TestProxy.Options(dc, mask));

        Assert.Equal(FakeMaskSite.Response, await SendAndReadToEndAsync(proxy, hello));
        Assert.Equal(hello, Assert.Single(mask.Received));
    }

    [Fact]
    public async Task RunAsync_UnknownSniWithRejectPolicy_GetsUnrecognizedNameAlertLikeNginx()
    {
        await using var dc = new EchoDc();
        await using var mask = new FakeMaskSite();
        var options = TestProxy.Options(dc, mask);
        options = options with { Tls = options.Tls with { UnknownSni = UnknownSniPolicy.Reject } };
        await using var proxy = TestProxy.Start(options);

        var answer = await SendAndReadToEndAsync(proxy, TlsTunnel.BuildHello(TestProxy.AliceKey, "other.example", Now));

        Assert.Equal("15030300020270", Convert.ToHexStringLower(answer));
        Assert.Empty(mask.Received);
    }

    [Fact]
    public async Task RunAsync_UnknownSniWithAcceptPolicy_IsServed()
    {
        await using var dc = new EchoDc();
        var options = TestProxy.Options(dc);
        options = options with { Tls = options.Tls with { UnknownSni = UnknownSniPolicy.Accept } };
        await using var proxy = TestProxy.Start(options);

        await using var client = await Client.ConnectTlsAsync(proxy.EndPoint, TestProxy.AliceKey, domain: "other.example");
        await AssertEchoesAsync(client);
    }

    [Fact]
    public async Task RunAsync_BadHelloNamingAnotherOfOurDomains_IsMaskedToThatSite()
    {
        await using var dc = new EchoDc();
        var hello = TlsTunnel.BuildHello(RandomNumberGenerator.GetBytes(16), "second.example", Now);
        await using var first = new FakeMaskSite(answerAfter: hello.Length);
        await using var second = new FakeMaskSite(answerAfter: hello.Length);
        var options = TestProxy.Options(dc, first);
        options = options with
        {
            Tls = options.Tls with
            {
                Domains = [TestProxy.Domain, "second.example"],
                MaskHostsBySni = new Dictionary<string, HostEndpoint>
                {
                    [TestProxy.Domain] = new("127.0.0.1", first.EndPoint.Port),
                    ["second.example"] = new("127.0.0.1", second.EndPoint.Port),
                },
            },
        };
        await using var proxy = TestProxy.Start(options);

        Assert.Equal(FakeMaskSite.Response, await SendAndReadToEndAsync(proxy, hello));
        Assert.Equal(hello, Assert.Single(second.Received));
        Assert.Empty(first.Received);
    }

    [Fact]
    public async Task RunAsync_EachProbeKind_CountedUnderItsVerdict()
    {
        await using var dc = new EchoDc();
        await using var mask = new FakeMaskSite();
        await using var proxy = TestProxy.Start(TestProxy.Options(dc, mask));
        var metrics = proxy.Context.Metrics;

        await SendAndReadToEndAsync(proxy, TlsTunnel.BuildHello(RandomNumberGenerator.GetBytes(16), TestProxy.Domain, Now));
        await SendAndReadToEndAsync(proxy, TlsTunnel.BuildHello(TestProxy.AliceKey, TestProxy.Domain, Now - 7200));
        await SendAndReadToEndAsync(proxy, TlsTunnel.BuildHello(TestProxy.AliceKey, "other.example", Now));
        await using (var client = await Client.ConnectTlsAsync(proxy.EndPoint, TestProxy.AliceKey))
        {
            await AssertEchoesAsync(client);
        }

        var totals = metrics.VerdictTotals();
        Assert.Equal(1, totals[(int)Gozar.Sessions.HandshakeVerdict.BadHmac]);
        Assert.Equal(1, totals[(int)Gozar.Sessions.HandshakeVerdict.ClockSkew]);
        Assert.Equal(1, totals[(int)Gozar.Sessions.HandshakeVerdict.UnknownSni]);
        Assert.Equal(1, totals[(int)Gozar.Sessions.HandshakeVerdict.Authenticated]);
    }

    [Theory]
    [InlineData(-3600)]
    [InlineData(3600)]
    public async Task RunAsync_ClockOutsideWindow_IsMasked(int skewSeconds)
    {
        await using var dc = new EchoDc();
        var hello = TlsTunnel.BuildHello(TestProxy.AliceKey, TestProxy.Domain, Now + skewSeconds);
        await using var mask = new FakeMaskSite(answerAfter: hello.Length);
        await using var proxy = TestProxy.Start(TestProxy.Options(dc, mask));

        Assert.Equal(FakeMaskSite.Response, await SendAndReadToEndAsync(proxy, hello));
        Assert.Equal(hello, Assert.Single(mask.Received));
    }

    [Fact]
    public async Task RunAsync_ReplayedHello_IsMasked()
    {
        await using var dc = new EchoDc();
        var hello = TlsTunnel.BuildHello(TestProxy.AliceKey, TestProxy.Domain, Now);
        await using var mask = new FakeMaskSite(answerAfter: hello.Length);
        await using var proxy = TestProxy.Start(TestProxy.Options(dc, mask));

        await using (var first = await ConnectWithHelloAsync(proxy, TestProxy.AliceKey, hello, [hello]))
        {
            await AssertEchoesAsync(first);
        }

        Assert.Equal(FakeMaskSite.Response, await SendAndReadToEndAsync(proxy, hello));

        // A slow first handshake (a loaded test host) may open a mask preconnect that is closed unused: the site
        // records it as an empty connection. Only connections that carried bytes count here.
        Assert.Equal(hello, Assert.Single(mask.Received, received => received.Length > 0));
    }

    [Fact]
    public async Task RunAsync_HelloReplayedHoursLaterWithTheClockCheckOff_IsMasked()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var dc = new EchoDc();
        var hello = TlsTunnel.BuildHello(TestProxy.AliceKey, TestProxy.Domain, time.GetUtcNow().ToUnixTimeSeconds());
        await using var mask = new FakeMaskSite(answerAfter: hello.Length);
        var options = TestProxy.Options(dc, mask);
        options = options with { Tls = options.Tls with { IgnoreClockSkew = true } };
        await using var proxy = TestProxy.Start(options, new ProxyEnvironment(NullLoggerFactory.Instance) { Time = time });
        await using (var first = await ConnectWithHelloAsync(proxy, TestProxy.AliceKey, hello, [hello]))
        {
            await AssertEchoesAsync(first);
        }

        // Hours of other clients: with a time window the cache would have forgotten the first hello by now.
        for (var hour = 0; hour < 3; hour++)
        {
            time.Advance(TimeSpan.FromHours(1));
            await using var other = await Client.ConnectTlsAsync(proxy.EndPoint, TestProxy.BobKey);
            await AssertEchoesAsync(other);
        }

        Assert.Equal(FakeMaskSite.Response, await SendAndReadToEndAsync(proxy, hello));
    }

    [Theory]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public async Task RunAsync_HelloReplayedAfterAReloadThatTogglesIgnoreClockSkew_IsMasked(bool before, bool after)
    {
        await using var dc = new EchoDc();
        var hello = TlsTunnel.BuildHello(TestProxy.AliceKey, TestProxy.Domain, Now);
        await using var mask = new FakeMaskSite(answerAfter: hello.Length);
        var options = TestProxy.Options(dc, mask);
        options = options with { Tls = options.Tls with { IgnoreClockSkew = before } };
        await using var proxy = TestProxy.Start(options);
        await using (var first = await ConnectWithHelloAsync(proxy, TestProxy.AliceKey, hello, [hello]))
        {
            await AssertEchoesAsync(first);
        }

        Assert.True(proxy.Server.Apply(options with { Tls = options.Tls with { IgnoreClockSkew = after } }).Error is null);

        // Seconds later, well inside the clock-skew window: the hello's timestamp passes, only the cache can stop it.
        Assert.Equal(FakeMaskSite.Response, await SendAndReadToEndAsync(proxy, hello));
    }

    [Theory]
    [InlineData("1600000000")]
    [InlineData("1603010000")]
    [InlineData("16414243")]
    public async Task RunAsync_ProbeStoppingInsideATlsRecordHeaderWithSecureOn_ReachesTheMaskSiteBeforeTheDeadline(string hex)
    {
        var probe = Convert.FromHexString(hex);
        await using var dc = new EchoDc();
        await using var mask = new FakeMaskSite(answerAfter: probe.Length);
        await using var proxy = TestProxy.Start(TestProxy.Options(dc, mask, handshakeTimeout: TimeSpan.FromMinutes(10)));
        using var socket = await SocketExtensions.ConnectAsync(proxy.EndPoint);

        await socket.SendAsync(probe);

        // Held back, the bytes would reach the site only at the handshake deadline, ten minutes away.
        Assert.Equal(FakeMaskSite.Response, await socket.ReadToEndAsync(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task RunAsync_TlsModeDisabled_HelloIsMasked()
    {
        await using var dc = new EchoDc();
        var hello = TlsTunnel.BuildHello(TestProxy.AliceKey, TestProxy.Domain, Now);
        await using var mask = new FakeMaskSite(answerAfter: hello.Length);
        var modes = new ModeOptions(Classic: true, Secure: true, Tls: false);
        await using var proxy = TestProxy.Start(TestProxy.Options(dc, mask, modes));

        Assert.Equal(FakeMaskSite.Response, await SendAndReadToEndAsync(proxy, hello));
        Assert.Equal(hello, Assert.Single(mask.Received));
    }

    [Fact]
    public async Task RunAsync_ClassicClientWhenOnlyTlsEnabled_IsMasked()
    {
        await using var dc = new EchoDc();
        await using var mask = new FakeMaskSite(answerAfter: 64);
        var modes = new ModeOptions(Classic: false, Secure: false, Tls: true);
        await using var proxy = TestProxy.Start(TestProxy.Options(dc, mask, modes));
        await using var client = await Client.ConnectAsync(proxy.EndPoint, TestProxy.AliceKey, ProtocolTag.Abridged, 2);

        Assert.Equal(FakeMaskSite.Response, await client.Socket.ReadToEndAsync());
        Assert.Single(mask.Received);
        Assert.Empty(dc.Inits);
    }

    private static Task<SelfTestClient> ConnectWithHelloAsync(TestProxy proxy, byte[] key, byte[] hello, IReadOnlyList<byte[]> writes) =>
        SelfTestClient.ConnectAsync(
            proxy.EndPoint, key, ProtocolTag.PaddedIntermediate, 2,
            socket => TlsTunnel.OpenAsync(socket, key, TlsTunnel.ClientRandomOf(hello), writes, CancellationToken.None),
            CancellationToken.None);

    private static async Task AssertEchoesAsync(SelfTestClient client)
    {
        var frame = Frames.Build(ProtocolTag.PaddedIntermediate, [1024, 16, 4096]);
        var echo = client.ReceiveAsync(frame.Length, default);
        await client.SendAsync(frame, default);
        Assert.Equal(frame, await echo);
    }

    private static async Task<byte[]> SendAndReadToEndAsync(TestProxy proxy, byte[] bytes)
    {
        using var socket = await SocketExtensions.ConnectAsync(proxy.EndPoint);
        await socket.SendAsync(bytes);
        return await socket.ReadToEndAsync();
    }

    /// <summary>Re-cuts a single-record hello into several handshake records, as DPI-evasion tools do.</summary>
    private static byte[] SplitIntoRecords(byte[] hello, int fragment)
    {
        var output = new MemoryStream();
        foreach (var piece in hello.AsSpan(ClientHello.RecordHeaderLength).ToArray().Chunk(fragment))
        {
            Span<byte> header = [0x16, 0x03, 0x01, 0, 0];
            BinaryPrimitives.WriteUInt16BigEndian(header[3..], (ushort)piece.Length);
            output.Write(header);
            output.Write(piece);
        }

        return output.ToArray();
    }
}
