using System.Net.Sockets;
using Gozar.Protocol.FakeTls;
using Gozar.Protocol.Framing;
using Gozar.SelfTest;
using Gozar.Tests.Infrastructure;

namespace Gozar.Tests.Sessions;

/// <summary>The server flight follows the TLS profile and Telegram clients still accept it (spec §5.6, §6.3).</summary>
public class ClientSessionTlsProfileTests
{
    private static readonly TlsProfile HybridSite = new(
        0x1302, ServerHelloExtensionOrder.SupportedVersionsFirst, ServerHelloFlight.X25519MlKem768Group,
        [RecordLengthRange.Exactly(40), new RecordLengthRange(3000, 3004), new RecordLengthRange(90, 92)],
        "a site that answers X25519MLKEM768");

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    [Fact]
    public async Task RunAsync_ProfileConfigured_PostQuantumHelloGetsTheSitesFlightShape()
    {
        await using var dc = new EchoDc();
        await using var proxy = StartWith(dc, HybridSite);
        var hello = TlsTunnel.BuildHello(TestProxy.AliceKey, TestProxy.Domain, Now, ClientHelloShape.PostQuantum);

        var (flight, sessionId) = await ReadFlightAsync(proxy, hello);

        Assert.Equal(MaskSiteFlightStatus.Ok, MaskSiteFlight.TryParse(flight, sessionId, out var parsed));
        Assert.Equal(0x1302, parsed.CipherSuite);
        Assert.Equal(ServerHelloExtensionOrder.SupportedVersionsFirst, parsed.ExtensionOrder);
        Assert.Equal(ServerHelloFlight.X25519MlKem768Group, parsed.KeyShareGroup);
        Assert.Equal(5 + 122 + 1088 + 6, parsed.EncryptedRecordsOffset);
        Assert.InRange(parsed.ApplicationDataLength, 40 + 3000 + 90 + 10, 40 + 3004 + 92 + 10);
        Assert.Equal(parsed.EncryptedRecordsOffset + 5 + parsed.ApplicationDataLength, flight.Length);
    }

    [Fact]
    public async Task RunAsync_ProfileConfigured_ClassicHelloGetsX25519()
    {
        await using var dc = new EchoDc();
        await using var proxy = StartWith(dc, HybridSite);
        var hello = TlsTunnel.BuildHello(TestProxy.AliceKey, TestProxy.Domain, Now, ClientHelloShape.Classic);

        var (flight, sessionId) = await ReadFlightAsync(proxy, hello);

        Assert.Equal(MaskSiteFlightStatus.Ok, MaskSiteFlight.TryParse(flight, sessionId, out var parsed));
        Assert.Equal(ServerHelloFlight.X25519Group, parsed.KeyShareGroup);
        Assert.Equal(5 + 122 + 6, parsed.EncryptedRecordsOffset);
    }

    [Fact]
    public async Task RunAsync_NoProfile_FlightIsTheBuiltInNginxOneForTheDomain()
    {
        await using var dc = new EchoDc();
        await using var proxy = TestProxy.Start(TestProxy.Options(dc));
        var hello = TlsTunnel.BuildHello(TestProxy.BobKey, TestProxy.Domain, Now, ClientHelloShape.PostQuantum);
        var builtIn = BuiltInTlsProfile.For(TestProxy.Domain);

        var (flight, sessionId) = await ReadFlightAsync(proxy, hello, TestProxy.BobKey);

        Assert.Equal(builtIn, proxy.Context.TlsProfile);
        Assert.Equal(MaskSiteFlightStatus.Ok, MaskSiteFlight.TryParse(flight, sessionId, out var parsed));
        Assert.Equal(0x1301, parsed.CipherSuite);
        Assert.Equal(ServerHelloExtensionOrder.SupportedVersionsFirst, parsed.ExtensionOrder);
        Assert.Equal(ServerHelloFlight.X25519Group, parsed.KeyShareGroup);
        Assert.InRange(parsed.ApplicationDataLength, 2241, 2243);
    }

    [Theory]
    [InlineData(ClientHelloShape.Classic)]
    [InlineData(ClientHelloShape.PostQuantum)]
    public async Task RunAsync_ProfileConfigured_WholeSessionStillWorks(ClientHelloShape shape)
    {
        await using var dc = new EchoDc();
        await using var proxy = StartWith(dc, HybridSite);
        var hello = TlsTunnel.BuildHello(TestProxy.BobKey, TestProxy.Domain, Now, shape);

        await using var client = await SelfTestClient.ConnectAsync(
            proxy.EndPoint, TestProxy.BobKey, ProtocolTag.PaddedIntermediate, 2,
            socket => TlsTunnel.OpenAsync(socket, TestProxy.BobKey, TlsTunnel.ClientRandomOf(hello), [hello], CancellationToken.None),
            CancellationToken.None);

        var frame = Frames.Build(ProtocolTag.PaddedIntermediate, [1024, 16, 4096]);
        var echo = client.ReceiveAsync(frame.Length, default);
        await client.SendAsync(frame, default);
        Assert.Equal(frame, await echo);
    }

    [Fact]
    public async Task RunAsync_ProfileConfigured_TestClientConnects()
    {
        await using var dc = new EchoDc();
        await using var proxy = StartWith(dc, BuiltInTlsProfile.For("www.some-longer-example.org"));
        await using var client = await Client.ConnectTlsAsync(proxy.EndPoint, TestProxy.AliceKey);

        var frame = Frames.Build(ProtocolTag.PaddedIntermediate, [64]);
        var echo = client.ReceiveAsync(frame.Length, default);
        await client.SendAsync(frame, default);
        Assert.Equal(frame, await echo);
    }

    private static TestProxy StartWith(EchoDc dc, TlsProfile profile)
    {
        var options = TestProxy.Options(dc);
        return TestProxy.Start(options with { Tls = options.Tls with { Profile = profile } });
    }

    /// <summary>Sends the hello and reads exactly the flight the client check accepts; returns it with the hello's session id.</summary>
    private static async Task<(byte[] Flight, byte[] SessionId)> ReadFlightAsync(TestProxy proxy, byte[] hello, byte[]? key = null)
    {
        key ??= TestProxy.AliceKey;
        using var socket = await SocketExtensions.ConnectAsync(proxy.EndPoint);
        await socket.SendAsync(hello);
        var buffer = new byte[32 * 1024];
        var read = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            var status = ServerFlightVerifier.Verify(key, TlsTunnel.ClientRandomOf(hello), buffer.AsSpan(0, read), out var consumed);
            if (status == ServerFlightStatus.Ok)
            {
                Assert.Equal(read, consumed);
                return (buffer[..consumed], hello[44..76]);
            }

            Assert.Equal(ServerFlightStatus.NeedMoreData, status);
            var received = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, timeout.Token);
            Assert.NotEqual(0, received);
            read += received;
        }
    }
}
