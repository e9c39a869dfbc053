using System.Net;
using System.Text.RegularExpressions;
using Gozar.Configuration;

namespace Gozar.Tests.Configuration;

public sealed partial class ConfigWriterTests
{
    private static readonly byte[] Key = Convert.FromHexString("00112233445566778899aabbccddeeff");

    [Fact]
    public void CreateDefault_WithIpv6_LoadsWithTheGivenValues()
    {
        var toml = ConfigWriter.CreateDefault(Key, "Example.com", 8443, includeIpv6: true);

        var options = TomlSamples.LoadValid(toml);

        Assert.Equal([new IPEndPoint(IPAddress.Any, 8443), new IPEndPoint(IPAddress.IPv6Any, 8443)], options.Listen);
        Assert.Equal(new ModeOptions(Classic: false, Secure: false, Tls: true), options.Modes);
        Assert.Equal(["example.com"], options.Tls.Domains);
        Assert.Equal(new HostEndpoint("example.com", 443), options.Tls.MaskHost);
        var user = Assert.Single(options.Users);
        Assert.Equal("default", user.Name);
        Assert.Equal(Key, user.Secret);
        Assert.Null(options.PublicHost);
    }

    [Fact]
    public void CreateDefault_WithoutIpv6_ListensOnIpv4Only()
    {
        var options = TomlSamples.LoadValid(ConfigWriter.CreateDefault(Key, "example.com", 443, includeIpv6: false));

        Assert.Equal([new IPEndPoint(IPAddress.Any, 443)], options.Listen);
    }

    [Fact]
    public void CreateDefault_Output_ExplainsTlsDomainAndPublicHost()
    {
        var toml = ConfigWriter.CreateDefault(Key, "example.com", 443, includeIpv6: true);

        Assert.Contains("TLS 1.3", toml, StringComparison.Ordinal);
        Assert.Contains("reach", toml, StringComparison.Ordinal);
        Assert.Contains("#public_host = ", toml, StringComparison.Ordinal);
    }

    /// <summary>The "#key = value" lines document defaults; uncommented they must load and change nothing.</summary>
    [Fact]
    public void CreateDefault_CommentedSettingsUncommented_LoadToTheSameOptions()
    {
        var toml = ConfigWriter.CreateDefault(Key, "example.com", 443, includeIpv6: true);
        var uncommented = CommentedSetting().Replace(toml, "$1");
        Assert.NotEqual(toml, uncommented);

        var plain = TomlSamples.LoadValid(toml);
        var expanded = TomlSamples.LoadValid(uncommented);

        Assert.Equal("proxy.example.org", expanded.PublicHost);
        Assert.Equal(plain.Tls.ClockSkewPast, expanded.Tls.ClockSkewPast);
        Assert.Equal(plain.Tls.ClockSkewFuture, expanded.Tls.ClockSkewFuture);
        Assert.Equal(plain.Tls.IgnoreClockSkew, expanded.Tls.IgnoreClockSkew);
        Assert.Equal(plain.Tls.ReplayCacheEntries, expanded.Tls.ReplayCacheEntries);
        Assert.Equal(plain.Upstream.IpPreference, expanded.Upstream.IpPreference);
        Assert.Equal(plain.Upstream.ConnectTimeout, expanded.Upstream.ConnectTimeout);
        Assert.Equal(plain.Upstream.DnsCache, expanded.Upstream.DnsCache);
        Assert.Equal(plain.Upstream.FastMode, expanded.Upstream.FastMode);
        Assert.Equal(plain.Timeouts, expanded.Timeouts);
        Assert.Equal(plain.Limits, expanded.Limits);
    }

    [Fact]
    public void CreateDefault_KeyNotSixteenBytes_Throws()
    {
        Assert.Throws<ArgumentException>(() => ConfigWriter.CreateDefault(new byte[15], "example.com", 443, includeIpv6: false));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("exa mple.com")]
    [InlineData("example.com:443")]
    public void CreateDefault_UnusableDomain_Throws(string domain)
    {
        Assert.Throws<ArgumentException>(() => ConfigWriter.CreateDefault(Key, domain, 443, includeIpv6: false));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65536)]
    public void CreateDefault_PortOutOfRange_Throws(int port)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ConfigWriter.CreateDefault(Key, "example.com", port, includeIpv6: false));
    }

    [Theory]
    [InlineData("abc", "shorter than 4 characters")]
    [InlineData("-x.example.com", "not a valid DNS host name")]
    public void IsValidTlsDomain_BadDomain_SaysWhy(string domain, string expected)
    {
        Assert.False(ConfigWriter.IsValidTlsDomain(domain, out var problem));
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void IsValidTlsDomain_GoodDomain_HasNoProblem()
    {
        Assert.True(ConfigWriter.IsValidTlsDomain("www.Example.com", out var problem));
        Assert.Null(problem);
    }

    [GeneratedRegex("^#(\\[|[a-z_]+ = )", RegexOptions.Multiline)]
    private static partial Regex CommentedSetting();
}
