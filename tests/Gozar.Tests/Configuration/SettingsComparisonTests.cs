using Gozar.Configuration;
using static Gozar.Tests.Configuration.TomlSamples;

namespace Gozar.Tests.Configuration;

public sealed class SettingsComparisonTests
{
    private const string Tag = "dcbe8f1493fa4cd9ab300891c0b5b326";

    /// <summary>Every key whose value loads into a list, a dictionary or a byte array, each set.</summary>
    private static string Full() => Config(
        top: "listen = [\"0.0.0.0:8443\", \"[::]:8443\"]",
        tls: "domains = [\"example.com\", \"cdn.example.org\"]",
        users: $"alice = \"{AliceSecret}\"\n[users.bob]\nsecret = \"{BobSecret}\"\nad_tag = \"{Tag}\"\nquota = \"1GiB\"",
        tables: $"""
            [upstream]
            mode = "middle"
            ad_tag = "{Tag}"
            [upstream.middle]
            proxy_secret_file = "/var/lib/gozar/proxy-secret"
            proxy_config_file = "/var/lib/gozar/proxy-multi.conf"
            [upstream.dc_overrides]
            "2" = ["127.0.0.1:1", "127.0.0.1:2"]
            "*" = "127.0.0.1:3"
            [limits]
            per_ip_exempt = ["10.0.0.0/8", "::1/128"]
            [proxy_protocol]
            listeners = ["[::]:8443"]
            trusted = ["192.0.2.0/24"]
            """);

    [Fact]
    public void Same_TheSameTextLoadedTwice_IsTrue()
    {
        Assert.True(SettingsComparison.Same(LoadValid(Full()), LoadValid(Full())));
    }

    [Theory]
    [InlineData("\"[::]:8443\"]\n", "\"[::]:8444\"]\n")]
    [InlineData("cdn.example.org", "cdn.example.net")]
    [InlineData("quota = \"1GiB\"", "quota = \"2GiB\"")]
    [InlineData("ad_tag = \"dcbe8f1493fa4cd9ab300891c0b5b326\"\nquota", "ad_tag = \"00be8f1493fa4cd9ab300891c0b5b326\"\nquota")]
    [InlineData("mode = \"middle\"\nad_tag = \"dcbe", "mode = \"middle\"\nad_tag = \"00be")]
    [InlineData("\"127.0.0.1:2\"]", "\"127.0.0.1:4\"]")]
    [InlineData("\"::1/128\"", "\"::2/128\"")]
    [InlineData("listeners = [\"[::]:8443\"]", "listeners = [\"0.0.0.0:8443\"]")]
    [InlineData("192.0.2.0/24", "192.0.3.0/24")]
    [InlineData("[limits]\n", "[limits]\nper_ip_rate = 7\n")]
    public void Same_OneValueChanged_IsFalse(string replace, string with)
    {
        var changed = Full().Replace(replace, with, StringComparison.Ordinal);
        Assert.NotEqual(Full(), changed);

        Assert.False(SettingsComparison.Same(LoadValid(Full()), LoadValid(changed)));
    }
}
