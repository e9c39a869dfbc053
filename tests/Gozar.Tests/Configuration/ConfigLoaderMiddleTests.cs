using System.Net;
using Gozar.Configuration;
using static Gozar.Tests.Configuration.TomlSamples;

namespace Gozar.Tests.Configuration;

public sealed class ConfigLoaderMiddleTests
{
    private const string Tag = "dcbe8f1493fa4cd9ab300891c0b5b326";
    private const string Files = "proxy_secret_file = \"/var/lib/gozar/proxy-secret\"\nproxy_config_file = \"/var/lib/gozar/proxy-multi.conf\"";

    private static string Middle(string upstream = "mode = \"middle\"", string middle = Files) =>
        Config(tables: $"[upstream]\n{upstream}\n\n[upstream.middle]\n{middle}");

    [Fact]
    public void Load_MiddleWithFiles_ReadsEveryKey()
    {
        var options = LoadValid(Middle(
            $"mode = \"middle\"\nad_tag = \"{Tag}\"",
            $"{Files}\nproxy_config_v6_file = \"v6.conf\"\nrefresh = \"24h\"\nconfig_url = \"http://127.0.0.1:1/c\"\n"
            + "config_v6_url = \"http://127.0.0.1:1/c6\"\nsecret_url = \"http://127.0.0.1:1/s\"\nnat_ip = \"203.0.113.10\"\n"
            + "connections_per_dc = 3\nhandshake_timeout = \"5s\"\nkeepalive = 0\nreconnect_delay = \"200ms\"\n"
            + "client_buffer = \"1MiB\"\ndownload_timeout = \"10s\"\nreconnect_backoff = 8\nsend_queue = 256\nclock_skew = \"2m\"\n"
            + "pong_timeout = \"20s\""));

        var upstream = options.Upstream;
        var middle = upstream.Middle;
        Assert.Equal(UpstreamMode.Middle, upstream.Mode);
        Assert.Equal(Convert.FromHexString(Tag), upstream.AdTag);
        Assert.Equal("/var/lib/gozar/proxy-secret", middle.ProxySecretFile);
        Assert.Equal("/var/lib/gozar/proxy-multi.conf", middle.ProxyConfigFile);
        Assert.Equal("v6.conf", middle.ProxyConfigV6File);
        Assert.Equal(TimeSpan.FromHours(24), middle.Refresh);
        Assert.Equal(new Uri("http://127.0.0.1:1/c"), middle.ConfigUrl);
        Assert.Equal(new Uri("http://127.0.0.1:1/c6"), middle.ConfigV6Url);
        Assert.Equal(new Uri("http://127.0.0.1:1/s"), middle.SecretUrl);
        Assert.Equal(IPAddress.Parse("203.0.113.10"), middle.NatIp);
        Assert.Equal(3, middle.ConnectionsPerDc);
        Assert.Equal(TimeSpan.FromSeconds(5), middle.HandshakeTimeout);
        Assert.Equal(TimeSpan.Zero, middle.Keepalive);
        Assert.Equal(TimeSpan.FromMilliseconds(200), middle.ReconnectDelay);
        Assert.Equal(1024 * 1024, middle.ClientBufferBytes);
        Assert.Equal(TimeSpan.FromSeconds(10), middle.DownloadTimeout);
        Assert.Equal(8, middle.ReconnectBackoff);
        Assert.Equal(256, middle.SendQueueFrames);
        Assert.Equal(TimeSpan.FromMinutes(2), middle.ClockSkew);
        Assert.Equal(TimeSpan.FromSeconds(20), middle.PongTimeout);
    }

    [Fact]
    public void Load_MiddleDefaults_OfflineWithTelegramUrls()
    {
        var middle = LoadValid(Middle()).Upstream.Middle;

        Assert.Equal(TimeSpan.Zero, middle.Refresh);
        Assert.Equal(new Uri(MiddleOptions.TelegramConfigUrl), middle.ConfigUrl);
        Assert.Equal(new Uri(MiddleOptions.TelegramSecretUrl), middle.SecretUrl);
        Assert.Null(middle.NatIp);
        Assert.Null(middle.ProxyConfigV6File);
        Assert.Equal(64, middle.ReconnectBackoff);
        Assert.Equal(1024, middle.SendQueueFrames);
        Assert.Equal(TimeSpan.FromSeconds(30), middle.ClockSkew);
        Assert.Equal(TimeSpan.FromSeconds(10), middle.PongTimeout);
    }

    [Fact]
    public void Load_UserAdTag_IsKeptPerUser()
    {
        var options = LoadValid(Config(
            users: $"alice = \"{AliceSecret}\"\n[users.bob]\nsecret = \"{BobSecret}\"\nad_tag = \"{Tag}\"",
            tables: $"[upstream]\nmode = \"middle\"\n[upstream.middle]\n{Files}"));

        Assert.Null(options.Users.Single(u => u.Name == "alice").AdTag);
        Assert.Equal(Convert.FromHexString(Tag), options.Users.Single(u => u.Name == "bob").AdTag);
    }

    [Fact]
    public void Load_DirectWithAdTag_IsAccepted()
    {
        Assert.Equal(UpstreamMode.Direct, LoadValid(Config(tables: $"[upstream]\nad_tag = \"{Tag}\"")).Upstream.Mode);
    }

    [Theory]
    [InlineData("proxy_config_file = \"c\"", "upstream.middle.proxy_secret_file: required with upstream.mode = \"middle\"")]
    [InlineData("proxy_secret_file = \"s\"", "upstream.middle.proxy_config_file: required with upstream.mode = \"middle\"")]
    [InlineData(Files + "\nnat_ipp = \"x\"", "unknown key 'upstream.middle.nat_ipp' (did you mean 'upstream.middle.nat_ip'?)")]
    [InlineData(Files + "\nproxy_config_v6_file = \"\"", "upstream.middle.proxy_config_v6_file: is empty")]
    [InlineData(Files + "\nproxy_config_v6_file = \"v6\\u0000.conf\"", "upstream.middle.proxy_config_v6_file: must be a file path")]
    [InlineData("proxy_secret_file = \"s\\u0000\"\nproxy_config_file = \"c\"", "upstream.middle.proxy_secret_file: must be a file path")]
    [InlineData(Files + "\nrefresh = \"10s\"", "upstream.middle.refresh: must be 0 (never) or at least 1m")]
    [InlineData(Files + "\nrefresh = \"x\"", "upstream.middle.refresh: 'x' is not a duration")]
    [InlineData(Files + "\nconfig_url = \"ftp://x/y\"", "upstream.middle.config_url: 'ftp://x/y' is not an http:// or https:// URL")]
    [InlineData(Files + "\nconfig_v6_url = \"nowhere\"", "upstream.middle.config_v6_url: 'nowhere' is not an http")]
    [InlineData(Files + "\nsecret_url = \"\"", "upstream.middle.secret_url: '' is not an http")]
    [InlineData(Files + "\nnat_ip = \"::1\"", "upstream.middle.nat_ip: '::1' is not an IPv4 address")]
    [InlineData(Files + "\nnat_ip = \"my.host\"", "upstream.middle.nat_ip: 'my.host' is not an IPv4 address")]
    [InlineData(Files + "\nconnections_per_dc = 0", "upstream.middle.connections_per_dc: 0 is out of range (1 .. 64)")]
    [InlineData(Files + "\nhandshake_timeout = \"5m\"", "upstream.middle.handshake_timeout: '5m' is out of range")]
    [InlineData(Files + "\nkeepalive = \"2h\"", "upstream.middle.keepalive: '2h' is out of range")]
    [InlineData(Files + "\npong_timeout = \"500ms\"", "upstream.middle.pong_timeout: '500ms' is out of range")]
    [InlineData(Files + "\nreconnect_delay = \"1ms\"", "upstream.middle.reconnect_delay: '1ms' is out of range")]
    [InlineData(Files + "\nclient_buffer = \"1KiB\"", "upstream.middle.client_buffer: '1KiB' is out of range")]
    [InlineData(Files + "\ndownload_timeout = 0", "upstream.middle.download_timeout: 0 is out of range")]
    [InlineData(Files + "\nreconnect_backoff = 0", "upstream.middle.reconnect_backoff: 0 is out of range (1 .. 1024)")]
    [InlineData(Files + "\nreconnect_backoff = 2000", "upstream.middle.reconnect_backoff: 2000 is out of range (1 .. 1024)")]
    [InlineData(Files + "\nreconnect_backoff = \"x\"", "upstream.middle.reconnect_backoff:")]
    [InlineData(Files + "\nsend_queue = 8", "upstream.middle.send_queue: 8 is out of range (16 .. 65536)")]
    [InlineData(Files + "\nsend_queue = 100000", "upstream.middle.send_queue: 100000 is out of range (16 .. 65536)")]
    [InlineData(Files + "\nclock_skew = 0", "upstream.middle.clock_skew: 0 is out of range")]
    [InlineData(Files + "\nclock_skew = \"2h\"", "upstream.middle.clock_skew: '2h' is out of range")]
    [InlineData(Files + "\nclock_skew = \"soon\"", "upstream.middle.clock_skew: 'soon' is not a duration")]
    public void Load_BadMiddleValue_NamesKey(string middle, string expected)
    {
        var error = LoadError(Middle(middle: middle), "upstream.");

        Assert.StartsWith(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_PreferIpv6WithoutV6File_NamesTheKey()
    {
        var error = LoadError(Middle("mode = \"middle\"\nip_preference = \"only-ipv6\""), "upstream.middle.proxy_config_v6_file");

        Assert.Contains("required with upstream.ip_preference", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_BadUserAdTag_NamesTheUserKey()
    {
        var error = LoadError(Config(users: $"[users.bob]\nsecret = \"{BobSecret}\"\nad_tag = \"12\""), "users.bob.ad_tag");

        Assert.Equal("users.bob.ad_tag: must be 32 hex digits (the tag @MTProxybot gives)", error);
    }
}
