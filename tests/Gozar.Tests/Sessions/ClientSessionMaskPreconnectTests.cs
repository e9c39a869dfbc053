using System.Net.Sockets;
using System.Text;
using Gozar.Configuration;
using Gozar.Hosting;
using Gozar.Protocol.Framing;
using Gozar.SelfTest;
using Gozar.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Gozar.Tests.Sessions;

/// <summary>
/// The mask site closes the connection a session opened to it in advance (its idle timer) while the session has not
/// yet read bytes the client already sent: what a proxy kept from the CPU for longer than that timer sees. The session
/// is held at that point by a pool whose rent waits (after the client's bytes arrived, before they are read), the site
/// closes, and only once the session was told does it run on.
/// </summary>
public class ClientSessionMaskPreconnectTests
{
    private const string SiteClosedFirst = "closed or answered a connection opened in advance";
    private const string DecidedAgain = "deciding again";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RunAsync_PreconnectClosesBeforeLegitimateBytesAreRead_ClientIsServed(bool tls)
    {
        await using var dc = new EchoDc();
        await using var mask = new HeldMaskSite();
        var logs = new CapturingLoggerProvider();
        await using var proxy = StartProxy(dc, mask, logs, out var pool);

        await using var client = await WhileSessionIsHeldAsync(proxy, mask, logs, pool, socket => SelfTestClient.OpenAsync(
            socket, TestProxy.AliceKey, ProtocolTag.PaddedIntermediate, 2,
            tls ? s => TlsTunnel.OpenAsync(s, TestProxy.AliceKey, TestProxy.Domain, CancellationToken.None) : null,
            CancellationToken.None));
        var frame = Frames.Build(ProtocolTag.PaddedIntermediate, [300]);
        var echo = client.ReceiveAsync(frame.Length, default);
        await client.SendAsync(frame, default);

        Assert.Equal(frame, await echo);
        Assert.Contains(logs.Lines, l => l.Contains(DecidedAgain, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n")]
    [InlineData("64 bytes")]
    public async Task RunAsync_PreconnectClosesBeforeProbeBytesAreRead_ProbeGetsWhatAFreshMaskConnectionReturns(string kind)
    {
        var probe = kind == "64 bytes"
            ? [.. Enumerable.Range(0x20, 64).Select(b => (byte)b)]
            : Encoding.ASCII.GetBytes(kind);
        await using var dc = new EchoDc();
        await using var mask = new HeldMaskSite();
        var logs = new CapturingLoggerProvider();
        await using var proxy = StartProxy(dc, mask, logs, out var pool);

        using var socket = await WhileSessionIsHeldAsync(proxy, mask, logs, pool, async socket =>
        {
            await socket.SendAsync(probe);
            return socket;
        });
        var masked = await socket.ReadToEndAsync();

        using var direct = await SocketExtensions.ConnectAsync(mask.EndPoint);
        await direct.SendAsync(probe);
        Assert.Equal(await direct.ReadToEndAsync(), masked);
        Assert.Contains(logs.Lines, l => l.Contains(DecidedAgain, StringComparison.Ordinal));
        Assert.Empty(dc.Inits);
    }

    [Fact]
    public async Task RunAsync_HelloThereBeforeTheFirstRead_OpensNoPreconnect()
    {
        await using var dc = new EchoDc();
        await using var mask = new HeldMaskSite();
        var options = TestProxy.Options(dc, maskEndPoint: mask.EndPoint);
        options = options with
        {
            Tls = options.Tls with { MaskPreconnectDelay = TimeSpan.Zero },
            Limits = options.Limits with { MaxHandshakes = 1 },
        };
        await using var proxy = TestProxy.Start(options);

        // A silent client holds the only handshake slot (and, waiting, opens the site's first connection), so the next
        // client's hello is in the kernel before the proxy accepts it.
        using var silent = await SocketExtensions.ConnectAsync(proxy.EndPoint);
        await mask.FirstAccepted.WaitAsync(TimeSpan.FromSeconds(20));
        using var socket = await SocketExtensions.ConnectAsync(proxy.EndPoint);
        var hello = TlsTunnel.BuildHello(TestProxy.AliceKey, TestProxy.Domain, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        Assert.Equal(hello.Length, socket.Send(hello));
        silent.Dispose();

        await AssertRelayedAfterHelloAsync(socket, hello);
        Assert.Equal(0, mask.LaterConnections);
    }

    /// <summary>
    /// A prober sends part of a hello and stalls: the site, reached directly, would have those bytes from then on, and
    /// what it does when its own timer runs out (nginx: read them, then close with a FIN) is what it does with them. So
    /// they must reach the connection opened in advance, or a site that gives up first is sent them after its close
    /// and resets them: a FIN followed by an unprompted reset, which no site gives.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(100)]
    public async Task RunAsync_ProbeStallsMidHello_PreconnectGetsItsBytes(int length)
    {
        await using var dc = new EchoDc();
        await using var mask = new HeldMaskSite();
        await using var proxy = StartTlsOnly(dc, mask);
        var part = TlsTunnel.BuildHello(TestProxy.BobKey, "unknown-site.example", DateTimeOffset.UtcNow.ToUnixTimeSeconds())[..length];

        using var socket = await SocketExtensions.ConnectAsync(proxy.EndPoint);
        await socket.SendAsync(part);
        using var site = await mask.FirstAccepted.WaitAsync(TimeSpan.FromSeconds(20));
        var received = new byte[length];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await site.ReceiveExactlyAsync(received, timeout.Token);

        Assert.Equal(part, received);
        Assert.Empty(dc.Inits);
    }

    /// <summary>Each part of a hello that stalls again and again reaches the site as it comes, not only the first.</summary>
    [Fact]
    public async Task RunAsync_ProbeStallsMidHelloThreeTimes_SiteGetsEachPartAsItComes()
    {
        await using var dc = new EchoDc();
        await using var mask = new HeldMaskSite();
        await using var proxy = StartTlsOnly(dc, mask);
        var hello = TlsTunnel.BuildHello(TestProxy.BobKey, "unknown-site.example", DateTimeOffset.UtcNow.ToUnixTimeSeconds());

        using var socket = await SocketExtensions.ConnectAsync(proxy.EndPoint);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        Socket? site = null;
        try
        {
            foreach (var (start, length) in ((int, int)[])[(0, 100), (100, 10), (110, 10)])
            {
                await socket.SendAsync(hello.AsMemory(start, length));
                site ??= await mask.FirstAccepted.WaitAsync(TimeSpan.FromSeconds(20));
                var received = new byte[length];
                await site.ReceiveExactlyAsync(received, timeout.Token);
                Assert.Equal(hello[start..(start + length)], received);
            }
        }
        finally
        {
            site?.Dispose();
        }

        Assert.Empty(dc.Inits);
    }

    /// <summary>
    /// A real client whose hello stalls long enough for the site's connection to open: the site has seen the first part,
    /// and when the rest comes the client is authenticated and relayed, not masked.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(100)]
    public async Task RunAsync_ClientStallsMidHello_SiteSeesThePartAndTheRestAuthenticates(int length)
    {
        await using var dc = new EchoDc();
        await using var mask = new HeldMaskSite();
        await using var proxy = StartTlsOnly(dc, mask);
        var hello = TlsTunnel.BuildHello(TestProxy.AliceKey, TestProxy.Domain, DateTimeOffset.UtcNow.ToUnixTimeSeconds());

        using var socket = await SocketExtensions.ConnectAsync(proxy.EndPoint);
        await socket.SendAsync(hello.AsMemory(0, length));
        using var site = await mask.FirstAccepted.WaitAsync(TimeSpan.FromSeconds(20));
        var received = new byte[length];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await site.ReceiveExactlyAsync(received, timeout.Token);
        await socket.SendAsync(hello.AsMemory(length));

        await AssertRelayedAfterHelloAsync(socket, hello);
        Assert.Equal(hello[..length], received);
    }

    /// <summary>
    /// The site answered the part of a hello it was shown and closed, while more of the hello had already come in: the
    /// client gets that answer, as directly, and the site is not shown the hello again on a connection of its own.
    /// </summary>
    [Fact]
    public async Task RunAsync_SiteAnswersMirroredPartBeforeTheRestIsRead_ClientGetsThatAnswer()
    {
        var answer = Encoding.ASCII.GetBytes("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        await using var dc = new EchoDc();
        await using var mask = new HeldMaskSite();
        var logs = new CapturingLoggerProvider();
        await using var proxy = StartProxy(dc, mask, logs, out var pool, new ModeOptions(Classic: false, Secure: false, Tls: true));
        var hello = TlsTunnel.BuildHello(TestProxy.BobKey, "unknown-site.example", DateTimeOffset.UtcNow.ToUnixTimeSeconds());

        using var socket = await SocketExtensions.ConnectAsync(proxy.EndPoint);
        await socket.SendAsync(hello.AsMemory(0, 100));
        using var site = await mask.FirstAccepted.WaitAsync(TimeSpan.FromSeconds(20));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await site.ReceiveExactlyAsync(new byte[100], timeout.Token);
        pool.ArmNextRent();
        await socket.SendAsync(hello.AsMemory(100, 10));
        await pool.Entered.WaitAsync(TimeSpan.FromSeconds(20));
        var told = logs.WaitForLineAsync(SiteClosedFirst);
        await site.SendAsync(answer);
        site.Shutdown(SocketShutdown.Both);
        await told.WaitAsync(TimeSpan.FromSeconds(20));
        pool.Release();

        Assert.Equal(answer, await socket.ReadToEndAsync());
        Assert.Equal(0, mask.LaterConnections);
        Assert.DoesNotContain(logs.Lines, l => l.Contains(DecidedAgain, StringComparison.Ordinal));
    }

    /// <summary>The client that sent <paramref name="hello"/> on <paramref name="socket"/> finishes its handshake and is relayed.</summary>
    private static async Task AssertRelayedAfterHelloAsync(Socket socket, byte[] hello)
    {
        await using var client = await SelfTestClient.OpenAsync(
            socket, TestProxy.AliceKey, ProtocolTag.PaddedIntermediate, 2,
            s => TlsTunnel.OpenAsync(s, TestProxy.AliceKey, TlsTunnel.ClientRandomOf(hello), [], CancellationToken.None),
            CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));
        var frame = Frames.Build(ProtocolTag.PaddedIntermediate, [300]);
        var echo = client.ReceiveAsync(frame.Length, default);
        await client.SendAsync(frame, default);

        Assert.Equal(frame, await echo.WaitAsync(TimeSpan.FromSeconds(20)));
    }

    /// <summary>Fake-TLS only, with the preconnect opened as soon as a handshake waits.</summary>
    private static TestProxy StartTlsOnly(EchoDc dc, HeldMaskSite mask)
    {
        var options = TestProxy.Options(dc, maskEndPoint: mask.EndPoint, modes: new ModeOptions(Classic: false, Secure: false, Tls: true));
        options = options with { Tls = options.Tls with { MaskPreconnectDelay = TimeSpan.Zero } };
        return TestProxy.Start(options, time: new FakeTimeProvider(DateTimeOffset.UtcNow));
    }

    private static TestProxy StartProxy(
        EchoDc dc, HeldMaskSite mask, CapturingLoggerProvider logs, out GatedArrayPool pool, ModeOptions? modes = null)
    {
        var options = TestProxy.Options(dc, maskEndPoint: mask.EndPoint, modes: modes);
        options = options with { Tls = options.Tls with { MaskPreconnectDelay = TimeSpan.Zero } };
        pool = new GatedArrayPool();
        return TestProxy.Start(options, new ProxyEnvironment(logs)
        {
            Time = new FakeTimeProvider(DateTimeOffset.UtcNow),
            Buffers = pool,
        });
    }

    /// <summary>
    /// Connects, and once the session waits for the client (it opens its preconnect then, at once with no delay) starts
    /// <paramref name="speak"/>; holds the session after the client's bytes arrived and before it reads them, has the mask
    /// site close the session's preconnect, and lets the session go once it was told of the close.
    /// </summary>
    private static async Task<T> WhileSessionIsHeldAsync<T>(
        TestProxy proxy, HeldMaskSite mask, CapturingLoggerProvider logs, GatedArrayPool pool, Func<Socket, Task<T>> speak)
    {
        var socket = await SocketExtensions.ConnectAsync(proxy.EndPoint);
        await mask.FirstAccepted.WaitAsync(TimeSpan.FromSeconds(20));
        pool.ArmNextRent();
        var connecting = speak(socket);
        await pool.Entered.WaitAsync(TimeSpan.FromSeconds(20));

        var told = logs.WaitForLineAsync(SiteClosedFirst);
        await mask.CloseFirstAsync();
        await told.WaitAsync(TimeSpan.FromSeconds(20));
        pool.Release();
        return await connecting.WaitAsync(TimeSpan.FromSeconds(20));
    }
}
