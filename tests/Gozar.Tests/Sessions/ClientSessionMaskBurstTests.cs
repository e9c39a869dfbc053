using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Gozar.Configuration;
using Gozar.Hosting;
using Gozar.Protocol.Tests.ProxyProtocol;
using Gozar.SelfTest;
using Gozar.Sessions;
using Gozar.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Gozar.Tests.Sessions;

/// <summary>
/// A prober's burst of junk, longer than the session's first read, must reach the mask site in one piece: nginx reads
/// what is there when it rejects the first record and closes, so had it the first 4 KiB alone it would read them all
/// and close with a FIN (then reset the rest), where the same burst sent to it directly is reset at once.
/// </summary>
public class ClientSessionMaskBurstTests
{
    private const int RelayBufferBytes = 96 * 1024;
    private const int FirstReadBytes = 4 * 1024;

    // What the handshake holds at most: the rest of a longer burst is left to the relay.
    private const int HandshakeCapacity = 40 * 1024;

    [Theory]
    [InlineData(0x16)]
    [InlineData(0x47)]
    public async Task RunAsync_BurstLongerThanTheFirstRead_SiteGetsItInTheFirstSend(byte first)
    {
        await using var dc = new EchoDc();
        using var site = new LoopbackListener();
        var pool = new RelayGatedArrayPool();
        var options = TestProxy.Options(dc, maskEndPoint: site.EndPoint, modes: new ModeOptions(Classic: false, Secure: false, Tls: true));
        options = options with { Limits = options.Limits with { RelayBufferBytes = RelayBufferBytes } };
        await using var proxy = TestProxy.Start(options, new ProxyEnvironment(NullLoggerFactory.Instance) { Buffers = pool });
        var burst = RandomNumberGenerator.GetBytes(20_000);
        burst[0] = first;
        burst[1] = 0xda;

        try
        {
            // The burst is in the proxy's socket before the session first reads, as when a prober's bytes come with its ACK.
            using var socket = await SocketExtensions.ConnectAsync(proxy.EndPoint);
            await pool.FirstReadEntered.WaitAsync(TimeSpan.FromSeconds(20));
            Assert.Equal(burst.Length, socket.Send(burst));
            pool.ReleaseFirstRead();

            // The relay cannot start (its buffer is held): all the site gets is what the session sent it on masking.
            Assert.Equal(burst, await FirstSendToSiteAsync(site, burst.Length));
            Assert.Empty(dc.Inits);
        }
        finally
        {
            pool.ReleaseRelay();
        }
    }

    /// <summary>
    /// Behind a trusted load balancer the client's rate is known only once its PROXY header is read, and that read (the
    /// handshake's first, 4 KiB) may hold only the start of a burst: a client over its rate is masked with all of it.
    /// </summary>
    [Fact]
    public async Task RunAsync_OverRateBehindProxyHeader_SiteGetsTheBurstInTheFirstSend()
    {
        var client = IPEndPoint.Parse("192.0.2.10:51234");
        await using var dc = new EchoDc();
        using var site = new LoopbackListener();
        var pool = new RelayGatedArrayPool();
        var options = TestProxy.Options(dc, maskEndPoint: site.EndPoint, modes: new ModeOptions(Classic: false, Secure: false, Tls: true));
        options = options with
        {
            Limits = options.Limits with { RelayBufferBytes = RelayBufferBytes, PerIpRate = 1, PerIpBurst = 1 },
            ProxyProtocol = new ProxyProtocolOptions { Listeners = options.Listen, Trusted = [IPNetwork.Parse("127.0.0.1/32")] },
        };

        // A stopped clock: the client's one place, taken here, is not given back during the test.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var proxy = TestProxy.Start(options, new ProxyEnvironment(NullLoggerFactory.Instance) { Buffers = pool, Time = time });
        Assert.True(proxy.Context.Admission.AllowsNewConnectionFrom(client.Address));
        var burst = RandomNumberGenerator.GetBytes(20_000);
        burst[0] = 0x16;

        try
        {
            using var socket = await SocketExtensions.ConnectAsync(proxy.EndPoint);
            await pool.FirstReadEntered.WaitAsync(TimeSpan.FromSeconds(20));
            byte[] sent = [.. ProxyHeaderBytes.V1(client, IPEndPoint.Parse("198.51.100.7:443")), .. burst];
            Assert.Equal(sent.Length, socket.Send(sent));
            pool.ReleaseFirstRead();

            Assert.Equal(burst, await FirstSendToSiteAsync(site, burst.Length));
            Assert.Equal(1, proxy.Context.Metrics.VerdictTotals()[(int)HandshakeVerdict.RateLimited]);
        }
        finally
        {
            pool.ReleaseRelay();
        }
    }

    /// <summary>
    /// A site that answers the start of a long burst (an alert) and resets the connection while the rest still comes:
    /// a client straight at the site reads the answer, then the reset. Through Gozar the relay's forward of the rest finds
    /// the site reset before the answer has been read from the site's socket; the client must still get it first.
    /// </summary>
    [Fact]
    public async Task RunAsync_SiteAnswersAndResetsWhileTheBurstIsForwarded_ClientGetsTheAnswerThenTheReset()
    {
        await using var dc = new EchoDc();
        using var site = new LoopbackListener();
        var pool = new RelayGatedArrayPool();
        var options = TestProxy.Options(dc, maskEndPoint: site.EndPoint, modes: new ModeOptions(Classic: false, Secure: false, Tls: true));
        options = options with { Limits = options.Limits with { RelayBufferBytes = RelayBufferBytes } };
        await using var proxy = TestProxy.Start(options, new ProxyEnvironment(NullLoggerFactory.Instance) { Buffers = pool });
        var burst = RandomNumberGenerator.GetBytes(HandshakeCapacity + 1000);
        burst[0] = 0x47;
        byte[] alert = [0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x16];

        using var socket = await SocketExtensions.ConnectAsync(proxy.EndPoint);
        await pool.FirstReadEntered.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(burst.Length, socket.Send(burst));
        pool.ReleaseFirstRead();

        // The site gets what the handshake held; the relay, which is to forward the rest, waits for its buffer meanwhile.
        using (var masked = await site.AcceptAsync().WaitAsync(TimeSpan.FromSeconds(20)))
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await masked.ReceiveExactlyAsync(new byte[HandshakeCapacity], timeout.Token);
            masked.Send(alert);
            masked.LingerState = new LingerOption(true, 0);
        }

        pool.ReleaseRelay();
        await AssertAnswerThenResetAsync(socket, alert);
        Assert.Empty(dc.Inits);
    }

    /// <summary>
    /// The site, reached in advance while the client kept the session waiting, answers and resets just as the client's
    /// bytes come in: the session's first send to it fails. What the site sent before its reset still reaches the
    /// client, all of it even when longer than a relay buffer, then the reset, as for a client straight at the site.
    /// </summary>
    [Theory]
    [InlineData(7)]
    [InlineData((5 * FirstReadBytes) + 123)]
    public async Task RunAsync_SiteAnswersAndResetsBeforeTheFirstSend_ClientGetsTheAnswerThenTheReset(int answerBytes)
    {
        await using var dc = new EchoDc();
        using var site = new LoopbackListener();
        var pool = new GatedArrayPool();
        var options = TestProxy.Options(dc, maskEndPoint: site.EndPoint, modes: new ModeOptions(Classic: false, Secure: false, Tls: true));
        options = options with
        {
            Tls = options.Tls with { MaskPreconnectDelay = TimeSpan.Zero },
            Limits = options.Limits with { RelayBufferBytes = FirstReadBytes },
        };
        await using var proxy = TestProxy.Start(
            options, new ProxyEnvironment(NullLoggerFactory.Instance) { Buffers = pool, Time = new FakeTimeProvider(DateTimeOffset.UtcNow) });
        var burst = RandomNumberGenerator.GetBytes(FirstReadBytes + 1000);
        burst[0] = 0x47;
        var answer = RandomNumberGenerator.GetBytes(answerBytes);

        using var socket = await SocketExtensions.ConnectAsync(proxy.EndPoint);
        using (var preconnected = await site.AcceptAsync().WaitAsync(TimeSpan.FromSeconds(20)))
        {
            // Held where the session takes the rest of the burst, after its verdict and before it sends to the site.
            pool.ArmNextRent(4 * FirstReadBytes);
            Assert.Equal(burst.Length, socket.Send(burst));
            await pool.Entered.WaitAsync(TimeSpan.FromSeconds(20));
            Assert.Equal(answer.Length, preconnected.Send(answer));
            preconnected.LingerState = new LingerOption(true, 0);
        }

        pool.Release();
        await AssertAnswerThenResetAsync(socket, answer);
        Assert.Empty(dc.Inits);
    }

    /// <summary>What the site's first connection got, read while the relay cannot start: what the session sent on masking.</summary>
    private static async Task<byte[]> FirstSendToSiteAsync(LoopbackListener site, int length)
    {
        using var masked = await site.AcceptAsync().WaitAsync(TimeSpan.FromSeconds(20));
        var received = new byte[length];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await masked.ReceiveExactlyAsync(received, timeout.Token);
        return received;
    }

    /// <summary>The client reads <paramref name="answer"/>, then a reset, as from a site that answered and reset.</summary>
    private static async Task AssertAnswerThenResetAsync(Socket socket, byte[] answer)
    {
        var (received, reset) = await ReadUntilClosedAsync(socket);

        Assert.Equal(Convert.ToHexString(answer), Convert.ToHexString(received));
        Assert.True(reset, "the client's connection ended with a FIN, where the site reset it");
    }

    private static async Task<(byte[] Received, bool Reset)> ReadUntilClosedAsync(Socket socket)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var received = new MemoryStream();
        var buffer = new byte[1024];
        while (true)
        {
            int read;
            try
            {
                read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
            {
                return (received.ToArray(), true);
            }

            if (read == 0)
            {
                return (received.ToArray(), false);
            }

            received.Write(buffer, 0, read);
        }
    }

    /// <summary>Holds the session's first read (the handshake buffer's first rent) and every relay buffer until released.</summary>
    private sealed class RelayGatedArrayPool : ArrayPool<byte>
    {
        private readonly TaskCompletionSource _firstReadEntered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ManualResetEventSlim _firstRead = new();
        private readonly ManualResetEventSlim _relay = new();
        private int _firstReadTaken;

        public Task FirstReadEntered => _firstReadEntered.Task;

        public void ReleaseFirstRead() => _firstRead.Set();

        public void ReleaseRelay() => _relay.Set();

        public override byte[] Rent(int minimumLength)
        {
            if (minimumLength == FirstReadBytes && Interlocked.Exchange(ref _firstReadTaken, 1) == 0)
            {
                _firstReadEntered.TrySetResult();
                _firstRead.Wait(TimeSpan.FromSeconds(30));
            }
            else if (minimumLength == RelayBufferBytes)
            {
                _relay.Wait(TimeSpan.FromSeconds(30));
            }

            return Shared.Rent(minimumLength);
        }

        public override void Return(byte[] array, bool clearArray = false) => Shared.Return(array, clearArray);
    }
}
