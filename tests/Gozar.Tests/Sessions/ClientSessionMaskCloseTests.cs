using System.Net.Sockets;
using System.Text;
using Gozar.SelfTest;
using Gozar.Sessions;
using Gozar.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Gozar.Tests.Sessions;

/// <summary>
/// What a client sends after the mask site has answered and closed its side: the site decides what becomes of it (a
/// site that closed its socket resets it, one that only half-closed reads it), and through Gozar the client must see
/// the same. The proxy's clock is a fake one, so its checks for the site's reset run only when the test moves it on.
/// </summary>
public class ClientSessionMaskCloseTests
{
    // Longer than an obfuscated2 init and not TLS: masked as soon as it is read.
    private static readonly byte[] Request = Encoding.ASCII.GetBytes(
        "GET / HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: Mozilla/5.0\r\nAccept: */*\r\n\r\n");

    [Fact]
    public async Task RunAsync_ClientSendsAfterTheSiteClosed_ClientIsReset()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var dc = new EchoDc();
        await using var mask = new FakeMaskSite(answerAfter: Request.Length);
        await using var proxy = TestProxy.Start(TestProxy.Options(dc, mask), time: time);
        using var socket = await SocketExtensions.ConnectAsync(proxy.EndPoint);
        await socket.SendAsync(Request);
        Assert.Equal(FakeMaskSite.Response, await socket.ReadToEndAsync());

        await socket.SendAsync("late"u8.ToArray());

        Assert.True(await WaitForResetAsync(socket, time), "the client was not reset after the site reset the bytes it sent late");
        await ClientSessionFaultTests.AssertOutcomeAsync(proxy, SessionOutcome.Masked);
    }

    [Fact]
    public async Task RunAsync_ClientSendsAfterTheSiteHalfClosed_SiteGetsTheBytesAndClientIsNotReset()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var dc = new EchoDc();
        await using var mask = new FakeMaskSite(answerAfter: Request.Length, halfClose: true);
        await using var proxy = TestProxy.Start(TestProxy.Options(dc, mask), time: time);
        using var socket = await SocketExtensions.ConnectAsync(proxy.EndPoint);
        await socket.SendAsync(Request);
        Assert.Equal(FakeMaskSite.Response, await socket.ReadToEndAsync());

        await socket.SendAsync("late"u8.ToArray());
        await WaitForAsync(() => LateBytes(mask) == "late");
        // Every check the proxy makes after the forward (they end within a few seconds) finds the site still there.
        for (var step = 0; step < 100; step++)
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
        }

        await socket.SendAsync(" and later"u8.ToArray());
        await WaitForAsync(() => LateBytes(mask) == "late and later");
        socket.Shutdown(SocketShutdown.Send);

        await ClientSessionFaultTests.AssertOutcomeAsync(proxy, SessionOutcome.Masked);
        Assert.Equal(0, SocketError(socket));
    }

    /// <summary>
    /// Moves the proxy's clock on in small steps, giving the site's reset real time to reach the proxy between them,
    /// until the client is reset or the proxy's checks are long over.
    /// </summary>
    private static async Task<bool> WaitForResetAsync(Socket socket, FakeTimeProvider time)
    {
        for (var step = 0; step < 250; step++)
        {
            // A reset after the FIN ends no receive (Linux reports the end of stream first): the pending error shows it.
            if (SocketError(socket) != 0)
            {
                return true;
            }

            time.Advance(TimeSpan.FromMilliseconds(20));
            await Task.Delay(10);
        }

        return SocketError(socket) != 0;
    }

    private static int SocketError(Socket socket) => (int)socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error)!;

    private static string LateBytes(FakeMaskSite mask) => Encoding.ASCII.GetString([.. mask.ReceivedAfterAnswer.SelectMany(chunk => chunk)]);

    private static async Task WaitForAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            await Task.Delay(5, timeout.Token);
        }
    }
}
