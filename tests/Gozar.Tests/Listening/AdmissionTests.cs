using System.Net;
using Gozar.Configuration;
using Gozar.Listening;
using Gozar.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Gozar.Tests.Listening;

public sealed class AdmissionTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    // A client address for the rate tests (documentation range; a key of the limiter, never dialled): loopback is exempt.
    private static readonly IPAddress Client = IPAddress.Parse("198.51.100.7");

    [Fact]
    public async Task WaitForRoomAsync_RoomLeft_CompletesAtOnceAndTakesNothing()
    {
        var admission = Create(maxConnections: 1, maxHandshakes: 1);

        await admission.WaitForRoomAsync(CancellationToken.None);
        await admission.WaitForRoomAsync(CancellationToken.None);

        Assert.Equal(0, admission.OpenConnections);
        Assert.Equal(0, admission.Handshaking);
    }

    [Fact]
    public void TryEnter_AtEitherLimit_TakesNothing()
    {
        var admission = Create(maxConnections: 2, maxHandshakes: 1);
        Assert.True(admission.TryEnter());

        Assert.False(admission.TryEnter());
        Assert.Equal(1, admission.OpenConnections);
        admission.HandshakeEnded();
        Assert.True(admission.TryEnter());
        admission.HandshakeEnded();
        Assert.False(admission.TryEnter());
        Assert.Equal(2, admission.OpenConnections);
        Assert.Equal(0, admission.Handshaking);
    }

    [Fact]
    public async Task WaitForRoomAsync_MaxConnectionsReached_WaitsUntilOneEnds()
    {
        var admission = Create(maxConnections: 1, maxHandshakes: 10);
        Assert.True(admission.TryEnter());
        admission.HandshakeEnded();

        // The first client is relaying: its handshake slot is back, its connection slot is not.
        var next = admission.WaitForRoomAsync(CancellationToken.None).AsTask();
        Assert.False(next.IsCompleted);

        admission.ConnectionEnded();
        await next.WaitAsync(Patience);
        Assert.True(admission.TryEnter());
    }

    [Fact]
    public async Task WaitForRoomAsync_MaxHandshakesReached_WaitsUntilOneIsDecided()
    {
        var admission = Create(maxConnections: 10, maxHandshakes: 1);
        Assert.True(admission.TryEnter());

        var next = admission.WaitForRoomAsync(CancellationToken.None).AsTask();
        Assert.False(next.IsCompleted);

        admission.HandshakeEnded();
        await next.WaitAsync(Patience);
        Assert.True(admission.TryEnter());
        Assert.Equal(2, admission.OpenConnections);
        Assert.Equal(1, admission.Handshaking);
    }

    [Fact]
    public async Task WaitForRoomAsync_CancelledWhileWaiting_Throws()
    {
        var admission = Create(maxConnections: 2, maxHandshakes: 1);
        Assert.True(admission.TryEnter());
        using var stopping = new CancellationTokenSource();

        var next = admission.WaitForRoomAsync(stopping.Token).AsTask();
        await stopping.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => next.WaitAsync(Patience));
        Assert.Equal(1, admission.OpenConnections);
        Assert.Equal(1, admission.Handshaking);
    }

    [Fact]
    public void Constructor_ReplacingBoundsInUse_CountsTheirConnectionsAndHandshakes()
    {
        var old = Create(maxConnections: 2, maxHandshakes: 10);
        Assert.True(old.TryEnter());
        Assert.True(old.TryEnter());
        old.HandshakeEnded();

        var admission = new Admission(new LimitOptions { MaxConnections = 2, MaxHandshakes = 10, PerIpRate = 7 }, TimeProvider.System, previous: old);

        Assert.Equal(2, admission.OpenConnections);
        Assert.Equal(1, admission.Handshaking);
        Assert.False(admission.TryEnter());
    }

    [Fact]
    public async Task WaitForRoomAsync_SessionOfTheReplacedBoundsEnds_Completes()
    {
        var old = Create(maxConnections: 1, maxHandshakes: 10);
        Assert.True(old.TryEnter());
        old.HandshakeEnded();
        var admission = Create(maxConnections: 1, maxHandshakes: 5, previous: old);

        var next = admission.WaitForRoomAsync(CancellationToken.None).AsTask();
        Assert.False(next.IsCompleted);

        // The session took its slot from the old bounds and gives it back there.
        old.ConnectionEnded();
        await next.WaitAsync(Patience);
        Assert.True(admission.TryEnter());
        Assert.Equal(1, old.OpenConnections);
    }

    [Fact]
    public async Task WaitForRoomAsync_LimitLoweredBelowTheOpenCount_WaitsUntilTheCountIsUnderIt()
    {
        var old = Create(maxConnections: 3, maxHandshakes: 10);
        Assert.True(old.TryEnter());
        Assert.True(old.TryEnter());
        var admission = Create(maxConnections: 1, maxHandshakes: 10, previous: old);

        var next = admission.WaitForRoomAsync(CancellationToken.None).AsTask();
        old.ConnectionEnded();
        Assert.False(next.IsCompleted);
        Assert.False(admission.TryEnter());

        old.ConnectionEnded();
        await next.WaitAsync(Patience);
        Assert.True(admission.TryEnter());
    }

    [Fact]
    public void AllowsNewConnectionFrom_ReplacedWithTheSameRate_KeepsEachAddressesBucket()
    {
        var limits = new LimitOptions { PerIpRate = 1, PerIpBurst = 1 };
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var old = new Admission(limits, time);
        Assert.True(old.AllowsNewConnectionFrom(Client));

        var admission = new Admission(limits with { MaxConnections = 5 }, time, previous: old);

        Assert.False(admission.AllowsNewConnectionFrom(Client));
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.3.2.1")]
    [InlineData("::1")]
    [InlineData("::ffff:127.0.0.1")]
    public void AllowsNewConnectionFrom_LoopbackWithDefaultExemptions_NeverRefusedNorCounted(string address)
    {
        var admission = new Admission(new LimitOptions { PerIpRate = 1, PerIpBurst = 1 }, TimeProvider.System);

        for (var i = 0; i < 1000; i++)
        {
            Assert.True(admission.AllowsNewConnectionFrom(IPAddress.Parse(address)));
        }

        admission.Sweep();
        Assert.True(admission.AllowsNewConnectionFrom(Client));
        Assert.False(admission.AllowsNewConnectionFrom(Client));
    }

    [Fact]
    public void AllowsNewConnectionFrom_LoopbackWithNoExemptions_RefusedOverTheBurst()
    {
        var admission = new Admission(new LimitOptions { PerIpRate = 1, PerIpBurst = 1, PerIpExempt = [] }, TimeProvider.System);

        Assert.True(admission.AllowsNewConnectionFrom(IPAddress.Loopback));
        Assert.False(admission.AllowsNewConnectionFrom(IPAddress.Loopback));
    }

    [Fact]
    public void AllowsNewConnectionFrom_AddressInAnExemptNetwork_NeverRefusedWhileOthersAre()
    {
        // A relay in front of Gozar that sends no PROXY header: all of its clients share its address.
        var relay = IPAddress.Parse("203.0.113.9");
        var limits = new LimitOptions { PerIpRate = 1, PerIpBurst = 1, PerIpExempt = [IPNetwork.Parse("203.0.113.0/24")] };
        var admission = new Admission(limits, TimeProvider.System);

        for (var i = 0; i < 1000; i++)
        {
            Assert.True(admission.AllowsNewConnectionFrom(relay));
        }

        Assert.True(admission.AllowsNewConnectionFrom(Client));
        Assert.False(admission.AllowsNewConnectionFrom(Client));
        Assert.True(admission.AllowsNewConnectionFrom(IPAddress.Loopback));
        Assert.False(admission.AllowsNewConnectionFrom(IPAddress.Loopback));
    }

    [Fact]
    public void AllowsNewConnectionFrom_RateZero_NeverRefuses()
    {
        var admission = new Admission(new LimitOptions { PerIpRate = 0, PerIpBurst = 1 }, TimeProvider.System);

        for (var i = 0; i < 1000; i++)
        {
            Assert.True(admission.AllowsNewConnectionFrom(Client));
        }
    }

    [Fact]
    public void AllowsNewConnectionFrom_SharedAddressOverItsBurst_WarnsAtOnceThenCountsUntilTheInterval()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var log = new CapturingLoggerProvider();
        var admission = new Admission(new LimitOptions { PerIpRate = 1, PerIpBurst = 1 }, time, log.CreateLogger("test"));
        var relay = IPAddress.Parse("198.51.100.7");
        var prober = IPAddress.Parse("198.51.100.8");
        Assert.True(admission.AllowsNewConnectionFrom(relay));
        admission.Authenticated(relay);
        Assert.True(admission.AllowsNewConnectionFrom(relay));
        Assert.True(admission.AllowsNewConnectionFrom(prober));

        // An address only probes came from is refused quietly; one that clients authenticated from is worth a warning.
        Assert.False(admission.AllowsNewConnectionFrom(prober));
        Assert.Empty(log.Lines);
        Assert.False(admission.AllowsNewConnectionFrom(relay));
        Assert.StartsWith("Warning: 1 new connection(s) over limits.per_ip_rate", Assert.Single(log.Lines));

        // Within the interval the refusals are counted, not logged; the first one after it logs them all. (The bucket
        // refills while the clock moves: one connection gets in each time before the next is refused.)
        Assert.False(admission.AllowsNewConnectionFrom(relay));
        time.Advance(Admission.SharedAddressWarningInterval - TimeSpan.FromSeconds(2));
        Assert.True(admission.AllowsNewConnectionFrom(relay));
        Assert.False(admission.AllowsNewConnectionFrom(relay));
        Assert.Single(log.Lines);
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(admission.AllowsNewConnectionFrom(relay));
        Assert.False(admission.AllowsNewConnectionFrom(relay));
        Assert.Equal(2, log.Lines.Count);
        Assert.StartsWith("Warning: 3 new connection(s)", log.Lines.Last());
    }

    private static Admission Create(int maxConnections, int maxHandshakes, Admission? previous = null) =>
        new(new LimitOptions { MaxConnections = maxConnections, MaxHandshakes = maxHandshakes }, TimeProvider.System, previous: previous);
}
