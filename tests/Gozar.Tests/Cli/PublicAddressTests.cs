using System.Net;
using Gozar.Cli;

namespace Gozar.Tests.Cli;

public sealed class PublicAddressTests
{
    private static readonly IPEndPoint[] BothFamilies = [new(IPAddress.Any, 443), new(IPAddress.IPv6Any, 443)];

    [Theory]
    [InlineData("10.0.0.5")]
    [InlineData("172.31.255.1")]
    [InlineData("192.168.1.20")]
    [InlineData("100.64.0.1")]
    [InlineData("169.254.1.1")]
    [InlineData("fd00::2")]
    [InlineData("::ffff:10.1.2.3")]
    public void IsPrivate_PrivateAddress_IsTrue(string address) => Assert.True(PublicAddress.IsPrivate(IPAddress.Parse(address)));

    [Theory]
    [InlineData("192.0.2.2")]
    [InlineData("172.32.0.1")]
    [InlineData("100.128.0.1")]
    [InlineData("2001:db8::1")]
    public void IsPrivate_PublicAddress_IsFalse(string address) => Assert.False(PublicAddress.IsPrivate(IPAddress.Parse(address)));

    [Fact]
    public void Pick_PrivateIPv4AndPublicIPv6ListenedOn_TakesTheIPv6()
    {
        var picked = PublicAddress.Pick([IPAddress.Parse("10.0.0.5"), IPAddress.Parse("fe80::1"), IPAddress.Parse("2001:db8::5")], ipv6: true);

        Assert.Equal(IPAddress.Parse("2001:db8::5"), picked);
    }

    [Fact]
    public void Pick_PrivateIPv4AndPublicIPv6NotListenedOn_TakesTheIPv4()
    {
        var picked = PublicAddress.Pick([IPAddress.Parse("10.0.0.5"), IPAddress.Parse("2001:db8::5")], ipv6: false);

        Assert.Equal(IPAddress.Parse("10.0.0.5"), picked);
    }

    [Fact]
    public void Pick_PublicIPv4AndIPv6_TakesTheIPv4()
    {
        var picked = PublicAddress.Pick([IPAddress.Parse("2001:db8::5"), IPAddress.Parse("192.0.2.7")], ipv6: true);

        Assert.Equal(IPAddress.Parse("192.0.2.7"), picked);
    }

    /// <summary>An IPv6 listener is bound IPv6-only: "[::]:443" alone takes no IPv4 client, so a link to the IPv4 is dead.</summary>
    [Fact]
    public void Pick_PublicIPv4AndIPv6ListeningOnIPv6Only_TakesTheIPv6()
    {
        var picked = PublicAddress.Pick(
            [IPAddress.Parse("192.0.2.7"), IPAddress.Parse("2001:db8::5")], listen: [new IPEndPoint(IPAddress.IPv6Any, 443)]);

        Assert.Equal(IPAddress.Parse("2001:db8::5"), picked);
    }

    [Fact]
    public void Pick_PublicIPv4AndIPv6ListeningOnBoth_TakesTheIPv4()
    {
        var picked = PublicAddress.Pick(
            [IPAddress.Parse("2001:db8::5"), IPAddress.Parse("192.0.2.7")],
            listen: [new IPEndPoint(IPAddress.IPv6Any, 443), new IPEndPoint(IPAddress.Any, 443)]);

        Assert.Equal(IPAddress.Parse("192.0.2.7"), picked);
    }

    [Fact]
    public void Pick_OnlyLoopbackAndLinkLocal_IsNull() =>
        Assert.Null(PublicAddress.Pick([IPAddress.Loopback, IPAddress.IPv6Loopback, IPAddress.Parse("fe80::1")], ipv6: true));

    [Theory]
    [InlineData("2001:db8::5", true, "2001:db8::5 is an IPv6 address", "public_host")]
    [InlineData("2001:db8::5", false, "2001:db8::5 is an IPv6 address and Gozar listens on IPv6 only", "add an IPv4 listener")]
    [InlineData("10.0.0.5", true, "10.0.0.5 is a private address", "public_host")]
    public void Hint_AddressClientsMayNotReach_SaysWhatToDo(string host, bool ipv4Listener, string start, string advice)
    {
        var hint = PublicAddress.Hint(configured: null, host, ipv4Listener ? BothFamilies : [new IPEndPoint(IPAddress.IPv6Any, 443)]);

        Assert.NotNull(hint);
        Assert.StartsWith(start, hint, StringComparison.Ordinal);
        Assert.Contains(advice, hint, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "192.0.2.2")]
    [InlineData("2001:db8::5", "2001:db8::5")]
    [InlineData("10.0.0.5", "10.0.0.5")]
    [InlineData("proxy.example.org", "proxy.example.org")]
    public void Hint_PublicOrConfiguredHost_IsNull(string? configured, string host) => Assert.Null(PublicAddress.Hint(configured, host, BothFamilies));

    [Fact]
    public void Hint_Placeholder_SaysToReplaceIt() =>
        Assert.StartsWith($"Replace {PublicAddress.Placeholder}", PublicAddress.Hint(configured: null, PublicAddress.Placeholder, BothFamilies), StringComparison.Ordinal);
}
