using System.Net;
using Gozar.Listening;
using Microsoft.Extensions.Time.Testing;

namespace Gozar.Tests.Listening;

public sealed class PerAddressRateLimiterTests
{
    private static readonly IPAddress Client = IPAddress.Parse("198.51.100.7");

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UnixEpoch);

    [Fact]
    public void TryTake_BurstUsedUp_RefusesTheNext()
    {
        var limiter = new PerAddressRateLimiter(ratePerSecond: 2, burst: 3, _time);

        Assert.Equal([true, true, true, false], Take(limiter, Client, 4));
    }

    [Fact]
    public void TryTake_TimePasses_RefillsAtTheRate()
    {
        var limiter = new PerAddressRateLimiter(ratePerSecond: 2, burst: 3, _time);
        Take(limiter, Client, 3);

        _time.Advance(TimeSpan.FromMilliseconds(499));
        Assert.Equal(RateDecision.OverRate, limiter.TryTake(Client));

        // Just over 0.5 s at 2 per second is one connection; the refused attempt above took nothing.
        _time.Advance(TimeSpan.FromMilliseconds(2));
        Assert.Equal([true, false], Take(limiter, Client, 2));

        // A long pause refills up to the burst, not beyond it.
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal([true, true, true, false], Take(limiter, Client, 4));
    }

    [Fact]
    public void Return_AfterTheBurst_LetsOneMoreIn()
    {
        var limiter = new PerAddressRateLimiter(ratePerSecond: 1, burst: 2, _time);
        Take(limiter, Client, 2);

        limiter.Return(Client);

        Assert.Equal([true, false], Take(limiter, Client, 2));
    }

    [Fact]
    public void Return_FullBucket_StaysAtTheBurst()
    {
        var limiter = new PerAddressRateLimiter(ratePerSecond: 1, burst: 2, _time);
        Assert.Equal(RateDecision.Allowed, limiter.TryTake(Client));

        limiter.Return(Client);
        limiter.Return(Client);

        Assert.Equal([true, true, false], Take(limiter, Client, 3));
    }

    [Fact]
    public void TryTake_OverRateWhereAClientAuthenticated_SaysTheAddressHasClients()
    {
        var limiter = new PerAddressRateLimiter(ratePerSecond: 1, burst: 2, _time);
        var prober = IPAddress.Parse("198.51.100.8");
        Take(limiter, prober, 2);
        Assert.Equal(RateDecision.Allowed, limiter.TryTake(Client));
        limiter.Return(Client);
        Take(limiter, Client, 2);

        Assert.Equal(RateDecision.OverRateWithClients, limiter.TryTake(Client));
        Assert.Equal(RateDecision.OverRate, limiter.TryTake(prober));
    }

    [Fact]
    public void Return_UnknownAddress_TracksNothing()
    {
        var limiter = new PerAddressRateLimiter(ratePerSecond: 1, burst: 2, _time);

        limiter.Return(Client);

        Assert.Equal(0, limiter.TrackedAddresses);
    }

    [Fact]
    public void TryTake_OtherAddress_HasItsOwnBucket()
    {
        var limiter = new PerAddressRateLimiter(ratePerSecond: 1, burst: 1, _time);

        Assert.Equal(RateDecision.Allowed, limiter.TryTake(Client));
        Assert.Equal(RateDecision.OverRate, limiter.TryTake(Client));
        Assert.Equal(RateDecision.Allowed, limiter.TryTake(IPAddress.Parse("198.51.100.8")));
    }

    [Fact]
    public void TryTake_Ipv6InTheSameSlash64_SharesOneBucket()
    {
        var limiter = new PerAddressRateLimiter(ratePerSecond: 1, burst: 2, _time);

        // A subscriber holds a whole /64: rotating the interface part does not buy more connections.
        Assert.Equal(RateDecision.Allowed, limiter.TryTake(IPAddress.Parse("2001:db8:1:2::1")));
        Assert.Equal(RateDecision.Allowed, limiter.TryTake(IPAddress.Parse("2001:db8:1:2:ffff:ffff:ffff:ffff")));
        Assert.Equal(RateDecision.OverRate, limiter.TryTake(IPAddress.Parse("2001:db8:1:2:abcd::9")));
        Assert.Equal(RateDecision.Allowed, limiter.TryTake(IPAddress.Parse("2001:db8:1:3::1")));
    }

    [Fact]
    public void TryTake_Ipv4MappedToIpv6_CountsAsTheIpv4Address()
    {
        var limiter = new PerAddressRateLimiter(ratePerSecond: 1, burst: 1, _time);

        // A dual-stack listener sees IPv4 clients as ::ffff:a.b.c.d; an IPv4 listener sees the same client plainly.
        Assert.Equal(RateDecision.Allowed, limiter.TryTake(Client.MapToIPv6()));
        Assert.Equal(RateDecision.OverRate, limiter.TryTake(Client));
        Assert.Equal(1, limiter.TrackedAddresses);
    }

    [Fact]
    public void Sweep_BucketRefilled_ForgetsTheAddress()
    {
        var busy = IPAddress.Parse("198.51.100.8");
        var limiter = new PerAddressRateLimiter(ratePerSecond: 10, burst: 5, _time);
        limiter.TryTake(Client);
        Take(limiter, busy, 5);

        // After 0.1 s the first address is full again and goes; the second, five short, stays with one back.
        _time.Advance(TimeSpan.FromMilliseconds(100));
        limiter.Sweep();

        Assert.Equal(1, limiter.TrackedAddresses);
        Assert.Equal([true, false], Take(limiter, busy, 2));
    }

    private static bool[] Take(PerAddressRateLimiter limiter, IPAddress address, int count)
    {
        var taken = new bool[count];
        for (var i = 0; i < count; i++)
        {
            taken[i] = limiter.TryTake(address) == RateDecision.Allowed;
        }

        return taken;
    }
}
