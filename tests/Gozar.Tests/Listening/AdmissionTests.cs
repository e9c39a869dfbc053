using System.Net;
using Gozar.Configuration;
using Gozar.Listening;

namespace Gozar.Tests.Listening;

public sealed class AdmissionTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task WaitForRoomAsync_MaxConnectionsReached_WaitsUntilOneEnds()
    {
        var admission = Create(maxConnections: 1, maxHandshakes: 10);
        await admission.WaitForRoomAsync(CancellationToken.None);
        admission.HandshakeEnded();

        // The first client is relaying: its handshake slot is back, its connection slot is not.
        var next = admission.WaitForRoomAsync(CancellationToken.None).AsTask();
        Assert.False(next.IsCompleted);

        admission.ConnectionEnded();
        await next.WaitAsync(Patience);
        Assert.Equal(1, admission.OpenConnections);
        Assert.Equal(1, admission.Handshaking);
    }

    [Fact]
    public async Task WaitForRoomAsync_MaxHandshakesReached_WaitsUntilOneIsDecided()
    {
        var admission = Create(maxConnections: 10, maxHandshakes: 1);
        await admission.WaitForRoomAsync(CancellationToken.None);

        var next = admission.WaitForRoomAsync(CancellationToken.None).AsTask();
        Assert.False(next.IsCompleted);

        admission.HandshakeEnded();
        await next.WaitAsync(Patience);
        Assert.Equal(2, admission.OpenConnections);
        Assert.Equal(1, admission.Handshaking);
    }

    [Fact]
    public async Task WaitForRoomAsync_CancelledWhileWaitingForAHandshakeSlot_GivesBackItsConnectionSlot()
    {
        var admission = Create(maxConnections: 2, maxHandshakes: 1);
        await admission.WaitForRoomAsync(CancellationToken.None);
        using var stopping = new CancellationTokenSource();

        var next = admission.WaitForRoomAsync(stopping.Token).AsTask();
        Assert.Equal(2, admission.OpenConnections);
        await stopping.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => next.WaitAsync(Patience));
        Assert.Equal(1, admission.OpenConnections);
        Assert.Equal(1, admission.Handshaking);
    }

    [Fact]
    public void AllowsNewConnectionFrom_RateZero_NeverRefuses()
    {
        var admission = new Admission(new LimitOptions { PerIpRate = 0, PerIpBurst = 1 }, TimeProvider.System);

        for (var i = 0; i < 1000; i++)
        {
            Assert.True(admission.AllowsNewConnectionFrom(IPAddress.Loopback));
        }
    }

    private static Admission Create(int maxConnections, int maxHandshakes) =>
        new(new LimitOptions { MaxConnections = maxConnections, MaxHandshakes = maxHandshakes }, TimeProvider.System);
}
