using Gozar.Configuration;
using Gozar.Upstream;

namespace Gozar.Tests.Upstream;

public class DcDirectoryTests
{
    private static DcDirectory Directory(IpPreference preference = IpPreference.PreferIpv4, Dictionary<string, IReadOnlyList<HostEndpoint>>? overrides = null) =>
        new(new UpstreamOptions { IpPreference = preference, DcOverrides = overrides ?? [] });

    [Theory]
    [InlineData(1, "149.154.175.50")]
    [InlineData(2, "149.154.167.51")]
    [InlineData(3, "149.154.175.100")]
    [InlineData(4, "149.154.167.91")]
    [InlineData(5, "149.154.171.5")]
    [InlineData(203, "91.105.192.100")]
    public void Resolve_KnownDc_BuiltInAddressOnPort443(short dc, string ipv4)
    {
        var route = Directory().Resolve(dc);

        Assert.Equal(dc, route.DcId);
        Assert.False(route.IsFallback);
        Assert.Equal(new HostEndpoint(ipv4, 443), route.Targets[0]);
        Assert.Contains(':', route.Targets[1].Host);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(-4)]
    [InlineData(1023)]
    [InlineData(-1024)]
    public void Resolve_SameDcTwice_ReturnsTheSameRoute(short dc)
    {
        var directory = Directory();

        Assert.Same(directory.Resolve(dc), directory.Resolve(dc));
    }

    [Theory]
    [InlineData(1024, 2)]
    [InlineData(short.MaxValue, 2)]
    [InlineData(short.MinValue, -2)]
    public void Resolve_DcOutsideTheCachedRange_StillFallsBackToDcTwo(short requested, short expected)
    {
        var directory = Directory(overrides: new() { ["5000"] = [new HostEndpoint("127.0.0.1", 1)] });

        Assert.Equal(expected, directory.Resolve(requested).DcId);
        Assert.Equal(new HostEndpoint("127.0.0.1", 1), directory.Resolve(5000).Targets[0]);
    }

    [Fact]
    public void Resolve_MediaDc_SameAddressesKeepsSign()
    {
        var route = Directory().Resolve(-4);

        Assert.Equal(-4, route.DcId);
        Assert.Equal(Directory().Resolve(4).Targets, route.Targets);
    }

    [Theory]
    [InlineData(0, 2)]
    [InlineData(7, 2)]
    [InlineData(10002, 2)]
    [InlineData(-10004, -2)]
    public void Resolve_UnknownDc_FallsBackToDcTwo(short requested, short expected)
    {
        var route = Directory().Resolve(requested);

        Assert.True(route.IsFallback);
        Assert.Equal(expected, route.DcId);
        Assert.Equal(Directory().Resolve(2).Targets, route.Targets);
    }

    [Theory]
    [InlineData(IpPreference.PreferIpv6, 2, true)]
    [InlineData(IpPreference.OnlyIpv4, 1, false)]
    [InlineData(IpPreference.OnlyIpv6, 1, true)]
    public void Resolve_IpPreference_OrdersAndFiltersFamilies(IpPreference preference, int count, bool ipv6First)
    {
        var targets = Directory(preference).Resolve(2).Targets;

        Assert.Equal(count, targets.Count);
        Assert.Equal(ipv6First, targets[0].Host.Contains(':', StringComparison.Ordinal));
    }

    [Fact]
    public void Resolve_Overrides_ExactThenAbsoluteThenWildcard()
    {
        var exact = new HostEndpoint("127.0.0.1", 1001);
        var absolute = new HostEndpoint("127.0.0.1", 1002);
        var wildcard = new HostEndpoint("127.0.0.1", 1003);
        var directory = Directory(overrides: new()
        {
            ["-2"] = [exact],
            ["2"] = [absolute],
            ["*"] = [wildcard],
        });

        Assert.Equal([exact], directory.Resolve(-2).Targets);
        Assert.Equal([absolute], directory.Resolve(2).Targets);
        Assert.Equal([wildcard], directory.Resolve(5).Targets);
        Assert.Equal([wildcard], directory.Resolve(10002).Targets);
        Assert.False(directory.Resolve(10002).IsFallback);
    }

    [Fact]
    public void Resolve_WildcardOverride_ListedOnlyForTelegramsIds()
    {
        var directory = Directory(overrides: new() { ["7"] = [new HostEndpoint("127.0.0.1", 1001)], ["*"] = [new HostEndpoint("127.0.0.1", 1003)] });

        Assert.True(directory.Resolve(-5).Listed);
        Assert.True(directory.Resolve(203).Listed);
        Assert.True(directory.Resolve(-7).Listed);
        Assert.False(directory.Resolve(10002).Listed);
        Assert.True(Directory().Resolve(10002).Listed);
    }
}
