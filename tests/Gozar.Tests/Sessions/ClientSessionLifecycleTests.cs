using System.Net;
using Gozar.Configuration;
using Gozar.Protocol.Crypto;
using Gozar.Protocol.Framing;
using Gozar.SelfTest;
using Gozar.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Gozar.Tests.Sessions;

public class ClientSessionLifecycleTests
{
    [Fact]
    public async Task RunAsync_NoTrafficForIdleTimeout_ClosesBothSides()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var dc = new EchoDc();
        await using var proxy = TestProxy.Start(TestProxy.Options(dc, idleTimeout: TimeSpan.FromMinutes(1)), time: time);
        await using var client = await Client.ConnectTlsAsync(proxy.EndPoint, TestProxy.AliceKey);
        var frame = Frames.Build(ProtocolTag.PaddedIntermediate, [32]);
        var echo = client.ReceiveAsync(frame.Length, default);
        await client.SendAsync(frame, default);
        Assert.Equal(frame, await echo);

        time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(1, proxy.Context.Registry.Count);
        time.Advance(TimeSpan.FromSeconds(30));

        Assert.Empty(await client.Socket.ReadToEndAsync());
        await WaitForSessionsAsync(proxy, 0);
    }

    [Fact]
    public async Task RunAsync_SilentClientPastHandshakeDeadline_IsHandedToMask()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var dc = new EchoDc();
        await using var mask = new FakeMaskSite(answerAfter: 0);
        await using var proxy = TestProxy.Start(TestProxy.Options(dc, mask, handshakeTimeout: TimeSpan.FromSeconds(10)), time: time);
        using var socket = await SocketExtensions.ConnectAsync(proxy.EndPoint);

        // A session reserves its mask preconnect once it waits for the client, which is after its deadline is set.
        await WaitUntilAsync(() => proxy.Context.MaskPreconnects == 1);
        time.Advance(TimeSpan.FromSeconds(11));

        Assert.Equal(FakeMaskSite.Response, await socket.ReadToEndAsync());
        Assert.Empty(Assert.Single(mask.Received));
    }

    [Fact]
    public async Task RunAsync_ClientStallsMidHello_HoldsOnlyTheHandshakeBuffer()
    {
        var pool = new GatedArrayPool();
        await using var dc = new EchoDc();
        await using var mask = new FakeMaskSite(answerAfter: 1_000_000);
        await using var proxy = TestProxy.Start(
            TestProxy.Options(dc, mask), new Gozar.Hosting.ProxyEnvironment(Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance) { Buffers = pool });
        var hello = TlsTunnel.BuildHello(TestProxy.AliceKey, TestProxy.Domain, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        // The session's first rent (its handshake buffer's, for its first read) is held until the 100 bytes are there,
        // so that it reads them at once and then waits for the rest of the hello.
        pool.ArmNextRent();
        using var socket = await SocketExtensions.ConnectAsync(proxy.EndPoint);
        await pool.Entered.WaitAsync(TimeSpan.FromSeconds(10));
        await socket.SendAsync(hello.AsMemory(0, 100));
        pool.Release();

        // The preconnect is reserved once the handshake waits for the client: here, for the rest of the hello.
        await WaitUntilAsync(() => proxy.Context.MaskPreconnects == 1);

        Assert.True(Assert.Single(proxy.Context.Registry.Sessions).InHandshake);
        Assert.InRange(pool.OutstandingBytes, 1, 8 * 1024);
    }

    [Fact]
    public async Task SweepIdle_SessionStillInItsHandshake_LeftToTheHandshakeDeadline()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var dc = new EchoDc();
        await using var mask = new FakeMaskSite(answerAfter: 1);
        await using var proxy = TestProxy.Start(
            TestProxy.Options(dc, mask, handshakeTimeout: TimeSpan.FromSeconds(10), idleTimeout: TimeSpan.FromSeconds(2)), time: time);
        using var socket = await SocketExtensions.ConnectAsync(proxy.EndPoint);
        await WaitUntilAsync(() => proxy.Context.MaskPreconnects == 1);

        time.Advance(TimeSpan.FromSeconds(3));
        proxy.Context.Registry.SweepIdle(TimeSpan.FromSeconds(2));
        // Still deciding: a first byte goes on to the site, whose answer comes back.
        await socket.SendAsync("G"u8.ToArray());

        Assert.Equal(FakeMaskSite.Response, await socket.ReadToEndAsync());
        Assert.Equal(0, proxy.Context.Metrics.OutcomeTotals()[(int)Gozar.Sessions.SessionOutcome.IdleTimeout]);
    }

    [Fact]
    public async Task TryStart_TlsMode_LogsWhichServerFlightProfileIsUsed()
    {
        var logs = new CapturingLoggerProvider();
        await using var dc = new EchoDc();
        await using (TestProxy.Start(TestProxy.Options(dc), logs))
        {
        }

        Assert.Contains(logs.Lines, l => l.Contains("Fake-TLS server flight shaped like: built-in: nginx", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TryStart_Always_LogsWhatCarriesBulkAes()
    {
        var logs = new CapturingLoggerProvider();
        await using var dc = new EchoDc();
        await using (TestProxy.Start(TestProxy.Options(dc), logs))
        {
        }

        Assert.Contains(logs.Lines, l => l.Contains($"AES-256-CTR for bulk data: {AesCtr.BulkImplementation}", StringComparison.Ordinal));
        Assert.NotEmpty(AesCtr.BulkImplementation);
    }

    [Fact]
    public async Task RunAsync_FinishedSession_LogsOneLineWithoutSecretsOrClientAddress()
    {
        var logs = new CapturingLoggerProvider();
        var clientAddress = string.Empty;
        await using var dc = new EchoDc();
        await using (var proxy = TestProxy.Start(TestProxy.Options(dc) with { Log = new LogOptions { Level = LogLevelOption.Trace } }, logs))
        {
            await using var client = await Client.ConnectTlsAsync(proxy.EndPoint, TestProxy.BobKey, dc: 4);
            clientAddress = client.Socket.LocalEndPoint!.ToString()!;
            var frame = Frames.Build(ProtocolTag.PaddedIntermediate, [64]);
            var echo = client.ReceiveAsync(frame.Length, default);
            await client.SendAsync(frame, default);
            await echo;
            client.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
            Assert.Empty(await client.Socket.ReadToEndAsync());
            await WaitForSessionsAsync(proxy, 0);
        }

        var finished = Assert.Single(logs.Lines, l => l.Contains("Session Relayed", StringComparison.Ordinal));
        Assert.Contains("user=bob", finished, StringComparison.Ordinal);
        Assert.Contains("mode=Tls", finished, StringComparison.Ordinal);
        Assert.Contains("dc=4", finished, StringComparison.Ordinal);
        Assert.Contains("client=-", finished, StringComparison.Ordinal);
        Assert.DoesNotContain(clientAddress, logs.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToHexString(TestProxy.BobKey), logs.Text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task RunAsync_LogClientIpsOn_LogsTheAddress()
    {
        var logs = new CapturingLoggerProvider();
        await using var dc = new EchoDc();
        var options = TestProxy.Options(dc) with { Log = new LogOptions { ClientIps = true } };
        await using (var proxy = TestProxy.Start(options, logs))
        {
            await using var client = await Client.ConnectAsync(proxy.EndPoint, TestProxy.AliceKey, ProtocolTag.Intermediate, 2);
            var frame = Frames.Build(ProtocolTag.Intermediate, [8]);
            await client.SendAsync(frame, default);
            await client.ReceiveAsync(frame.Length, default);
            client.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
            Assert.Empty(await client.Socket.ReadToEndAsync());
            await WaitForSessionsAsync(proxy, 0);
        }

        Assert.Contains(logs.Lines, l => l.Contains("client=127.0.0.1:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Start_Ipv6Listener_ServesClients()
    {
        await using var dc = new EchoDc();
        var options = TestProxy.Options(dc) with { Listen = [new IPEndPoint(IPAddress.IPv6Loopback, 0)] };
        await using var proxy = TestProxy.Start(options);
        await using var client = await Client.ConnectTlsAsync(proxy.EndPoint, TestProxy.AliceKey);

        var frame = Frames.Build(ProtocolTag.PaddedIntermediate, [256]);
        var echo = client.ReceiveAsync(frame.Length, default);
        await client.SendAsync(frame, default);
        Assert.Equal(frame, await echo);
    }

    private static Task WaitForSessionsAsync(TestProxy proxy, int count) => WaitUntilAsync(() => proxy.Context.Registry.Count == count);

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            await Task.Delay(5, timeout.Token);
        }
    }
}
