using System.Net;
using System.Net.Sockets;
using Gozar.Configuration;
using Gozar.Fronting;
using Gozar.Upstream;
using Microsoft.Extensions.Time.Testing;

namespace Gozar.Tests.Fronting;

public class MaskPreconnectTests
{
    private static readonly TimeSpan Delay = TimeSpan.FromMilliseconds(100);

    [Fact]
    public async Task StartAfter_DelayPasses_ConnectsToTheMaskHost()
    {
        var (preconnect, time, lookups) = Create();

        preconnect.StartAfter(Delay, time);
        time.Advance(Delay);

        Assert.Equal(1, lookups());
        await preconnect.DisposeAsync();
    }

    [Fact]
    public async Task CancelDelayedStart_BeforeTheDelay_NeverConnects()
    {
        var (preconnect, time, lookups) = Create();

        preconnect.StartAfter(Delay, time);
        preconnect.CancelDelayedStart();
        time.Advance(Delay * 10);

        Assert.Equal(0, lookups());
        await preconnect.DisposeAsync();
    }

    [Fact]
    public async Task TakeAsync_AfterCancelDelayedStart_StillConnectsOnDemand()
    {
        var (preconnect, time, lookups) = Create();
        preconnect.StartAfter(Delay, time);
        preconnect.CancelDelayedStart();

        var taken = await preconnect.TakeAsync();

        Assert.Equal(1, lookups());
        Assert.Equal(ConnectFailure.DnsFailed, taken.Failure);
        await preconnect.DisposeAsync();
    }

    /// <summary>A preconnect to a named host whose lookups are counted (and fail, so nothing is dialled).</summary>
    private static (MaskPreconnect Preconnect, FakeTimeProvider Time, Func<int> Lookups) Create()
    {
        var time = new FakeTimeProvider();
        var lookups = 0;
        var connector = new Connector(TimeSpan.FromSeconds(5), IpPreference.PreferIpv4, time, (_, _) =>
        {
            Interlocked.Increment(ref lookups);
            return Task.FromException<IPAddress[]>(new SocketException((int)SocketError.HostNotFound));
        });
        return (new MaskPreconnect(connector, new HostEndpoint("mask.test", 443)), time, () => Volatile.Read(ref lookups));
    }
}
