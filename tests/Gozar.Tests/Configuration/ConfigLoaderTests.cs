using System.Net;
using Gozar.Configuration;
using static Gozar.Tests.Configuration.TomlSamples;

namespace Gozar.Tests.Configuration;

public sealed class ConfigLoaderTests
{
    private const string FullConfig = """
        listen = ["0.0.0.0:8443", "[::]:8443"]
        public_host = "Proxy.Example.org"
        log_level = "debug"
        log_client_ips = true

        [modes]
        classic = true
        secure = true
        tls = true

        [tls]
        domains = ["Example.com", "cdn.example.net"]
        mask_host = "[2001:db8::1]:8443"
        clock_skew_past = "15m"
        clock_skew_future = 30
        ignore_clock_skew = true
        replay_cache_entries = 2_000_000

        [users]
        alice = "00112233445566778899AABBCCDDEEFF"

        [users.bob]
        secret = "fedcba9876543210fedcba9876543210"

        [upstream]
        mode = "direct"
        ip_preference = "only-ipv6"
        connect_timeout = "1500ms"
        dns_cache = "30s"
        fast_mode = false

        [upstream.dc_overrides]
        "2" = "127.0.0.1:14443"
        "-2" = "dc.example.org:443"
        "*" = ["127.0.0.1:14443", "[::1]:14443"]

        [timeouts]
        handshake = "20s"
        idle = "1h"
        drain = "45s"
        memory_trim = "0s"

        [limits]
        relay_buffer = "1MiB"
        """;

    [Fact]
    public void Load_FullConfig_BindsEveryValue()
    {
        var options = LoadValid(FullConfig);

        Assert.Equal([new IPEndPoint(IPAddress.Any, 8443), new IPEndPoint(IPAddress.IPv6Any, 8443)], options.Listen);
        Assert.Equal("proxy.example.org", options.PublicHost);
        Assert.Equal(LogLevelOption.Debug, options.Log.Level);
        Assert.True(options.Log.ClientIps);
        Assert.Equal(new ModeOptions(Classic: true, Secure: true, Tls: true), options.Modes);

        Assert.Equal(["example.com", "cdn.example.net"], options.Tls.Domains);
        Assert.Equal(new HostEndpoint("2001:db8::1", 8443), options.Tls.MaskHost);
        Assert.Equal(TimeSpan.FromMinutes(15), options.Tls.ClockSkewPast);
        Assert.Equal(TimeSpan.FromSeconds(30), options.Tls.ClockSkewFuture);
        Assert.True(options.Tls.IgnoreClockSkew);
        Assert.Equal(2_000_000, options.Tls.ReplayCacheEntries);

        Assert.Equal(2, options.Users.Count);
        Assert.Equal("alice", options.Users[0].Name);
        Assert.Equal(Convert.FromHexString(AliceSecret), options.Users[0].Secret);
        Assert.Equal("bob", options.Users[1].Name);
        Assert.Equal(Convert.FromHexString(BobSecret), options.Users[1].Secret);

        Assert.Equal(UpstreamMode.Direct, options.Upstream.Mode);
        Assert.Equal(IpPreference.OnlyIpv6, options.Upstream.IpPreference);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), options.Upstream.ConnectTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), options.Upstream.DnsCache);
        Assert.False(options.Upstream.FastMode);
        Assert.Equal(3, options.Upstream.DcOverrides.Count);
        Assert.Equal([new HostEndpoint("127.0.0.1", 14443)], options.Upstream.DcOverrides["2"]);
        Assert.Equal([new HostEndpoint("dc.example.org", 443)], options.Upstream.DcOverrides["-2"]);
        Assert.Equal(
            [new HostEndpoint("127.0.0.1", 14443), new HostEndpoint("::1", 14443)],
            options.Upstream.DcOverrides["*"]);

        Assert.Equal(TimeSpan.FromSeconds(20), options.Timeouts.Handshake);
        Assert.Equal(TimeSpan.FromHours(1), options.Timeouts.Idle);
        Assert.Equal(TimeSpan.FromSeconds(45), options.Timeouts.Drain);
        Assert.Equal(TimeSpan.Zero, options.Timeouts.MemoryTrim);
        Assert.Equal(1024 * 1024, options.Limits.RelayBufferBytes);
    }

    [Fact]
    public void Load_OptionalSectionsAbsent_UsesDefaults()
    {
        var options = LoadValid(Config());

        Assert.Null(options.PublicHost);
        Assert.Equal(new ModeOptions(Classic: false, Secure: false, Tls: true), options.Modes);
        Assert.Equal(new HostEndpoint("example.com", 443), options.Tls.MaskHost);
        Assert.Equal(TimeSpan.FromMinutes(20), options.Tls.ClockSkewPast);
        Assert.Equal(TimeSpan.FromMinutes(10), options.Tls.ClockSkewFuture);
        Assert.Equal(TimeSpan.FromMilliseconds(100), options.Tls.MaskPreconnectDelay);
        Assert.Equal(UnknownSniPolicy.Mask, options.Tls.UnknownSni);
        Assert.False(options.Tls.IgnoreClockSkew);
        Assert.Equal(1_000_000, options.Tls.ReplayCacheEntries);
        Assert.Equal(LogLevelOption.Information, options.Log.Level);
        Assert.False(options.Log.ClientIps);
        Assert.Equal(UpstreamMode.Direct, options.Upstream.Mode);
        Assert.Equal(IpPreference.PreferIpv4, options.Upstream.IpPreference);
        Assert.Empty(options.Upstream.DcOverrides);
        Assert.Equal(TimeSpan.FromSeconds(5), options.Upstream.ConnectTimeout);
        Assert.Equal(TimeSpan.FromMinutes(1), options.Upstream.DnsCache);
        Assert.True(options.Upstream.FastMode);
        Assert.Equal(TimeSpan.FromSeconds(10), options.Timeouts.Handshake);
        Assert.Equal(TimeSpan.FromMinutes(5), options.Timeouts.Idle);
        Assert.Equal(TimeSpan.FromSeconds(20), options.Timeouts.Drain);
        Assert.Equal(TimeSpan.FromSeconds(2), options.Timeouts.MemoryTrim);
        Assert.Equal(64 * 1024, options.Limits.RelayBufferBytes);
        Assert.Equal(10_000, options.Limits.MaxConnections);
        Assert.Equal(4_096, options.Limits.MaxHandshakes);
        Assert.Equal(256, options.Limits.MaxMaskPreconnects);
        Assert.Equal(20, options.Limits.PerIpRate);
        Assert.Equal(100, options.Limits.PerIpBurst);
        Assert.Equal(["127.0.0.0/8", "::1/128"], options.Limits.PerIpExempt.Select(n => n.ToString()));
        Assert.Equal(OverRateAction.Mask, options.Limits.OverRate);
        Assert.Equal(TimeSpan.FromMinutes(10), options.Limits.UniqueIpWindow);
    }

    [Fact]
    public void Load_ClassicOnlyWithoutTlsSection_HasNoDomainsAndNoMaskHost()
    {
        var options = LoadValid($"{ListenLine}\n[modes]\nclassic = true\ntls = false\n[users]\n{UsersBody}\n");

        Assert.Empty(options.Tls.Domains);
        Assert.Equal(new HostEndpoint(string.Empty, 0), options.Tls.MaskHost);
    }

    [Fact]
    public void Load_SeveralDomainsWithoutMaskHost_MasksEachSniToItsOwnSite()
    {
        var options = LoadValid(Config(tls: "domains = [\"example.com\", \"cdn.example.org\"]\nunknown_sni = \"reject\"\nmask_preconnect_delay = 0"));

        Assert.Equal(new HostEndpoint("cdn.example.org", 443), options.Tls.MaskHostsBySni["cdn.example.org"]);
        Assert.Equal(new HostEndpoint("example.com", 443), options.Tls.MaskHostsBySni["example.com"]);
        Assert.Equal(UnknownSniPolicy.Reject, options.Tls.UnknownSni);
        Assert.Equal(TimeSpan.Zero, options.Tls.MaskPreconnectDelay);
    }

    [Fact]
    public void Load_ExplicitMaskHost_MasksEverySniThere()
    {
        var options = LoadValid(Config(tls: "domains = [\"example.com\", \"cdn.example.org\"]\nmask_host = \"127.0.0.1:8443\"\nunknown_sni = \"accept\""));

        Assert.Empty(options.Tls.MaskHostsBySni);
        Assert.Equal(new HostEndpoint("127.0.0.1", 8443), options.Tls.MaskHost);
        Assert.Equal(UnknownSniPolicy.Accept, options.Tls.UnknownSni);
    }

    [Fact]
    public void Load_TlsOffWithDomains_StillValidatesAndKeepsThem()
    {
        var options = LoadValid(Config(tables: "[modes]\nsecure = true\ntls = false"));

        Assert.Equal(["example.com"], options.Tls.Domains);
        Assert.Equal(new HostEndpoint("example.com", 443), options.Tls.MaskHost);
    }

    [Theory]
    [InlineData("dd" + AliceSecret)]
    [InlineData("ee" + AliceSecret + "6578616d706c652e636f6d")]
    [InlineData("ee" + AliceSecret)]
    [InlineData("ABEiM0RVZneImaq7zN3u_w")]
    [InlineData("7gARIjNEVWZ3iJmqu8zd7v9leGFtcGxlLmNvbQ")]
    public void Load_PastedClientSecret_KeepsOnlyTheKey(string secret)
    {
        var options = LoadValid(Config(users: $"alice = \"{secret}\""));

        Assert.Equal(Convert.FromHexString(AliceSecret), options.Users[0].Secret);
    }

    [Fact]
    public void Load_InlineTablesAndDottedKeys_BindLikeSections()
    {
        var options = LoadValid(
            $"{ListenLine}\nmodes = {{ classic = true }}\ntls.domains = [\"example.com\"]\nusers.bob.secret = \"{BobSecret}\"\n");

        Assert.True(options.Modes.Classic);
        Assert.Equal("bob", options.Users[0].Name);
    }

    [Theory]
    [InlineData("\"2001:db8::1\"", "2001:db8::1")]
    [InlineData("\"[2001:db8::1]\"", "2001:db8::1")]
    [InlineData("\"203.0.113.7\"", "203.0.113.7")]
    public void Load_PublicHostIpLiteral_IsStoredBare(string value, string expected)
    {
        var options = LoadValid(Config(top: $"{ListenLine}\npublic_host = {value}"));

        Assert.Equal(expected, options.PublicHost);
    }

    [Theory]
    [InlineData("+2", "2")]
    [InlineData("0203", "203")]
    [InlineData("10002", "10002")]
    public void Load_DcOverrideKey_IsStoredCanonical(string key, string expected)
    {
        var options = LoadValid(Config(tables: $"[upstream.dc_overrides]\n\"{key}\" = \"127.0.0.1:1\""));

        Assert.True(options.Upstream.DcOverrides.ContainsKey(expected));
    }

    [Fact]
    public void Load_AdmissionLimits_BindsEveryValue()
    {
        var options = LoadValid(Config(tables: """
            [limits]
            max_connections = 500
            max_handshakes = 50
            max_mask_preconnects = 0
            per_ip_rate = 0
            per_ip_burst = 7
            per_ip_exempt = ["10.1.0.0/16", "2001:db8::/32", "192.0.2.1"]
            over_rate = "close"
            unique_ip_window = "1h"
            """));

        Assert.Equal(500, options.Limits.MaxConnections);
        Assert.Equal(50, options.Limits.MaxHandshakes);
        Assert.Equal(0, options.Limits.MaxMaskPreconnects);
        Assert.Equal(0, options.Limits.PerIpRate);
        Assert.Equal(7, options.Limits.PerIpBurst);
        Assert.Equal(["10.1.0.0/16", "2001:db8::/32", "192.0.2.1/32"], options.Limits.PerIpExempt.Select(n => n.ToString()));
        Assert.Equal(OverRateAction.Close, options.Limits.OverRate);
        Assert.Equal(TimeSpan.FromHours(1), options.Limits.UniqueIpWindow);
    }

    [Fact]
    public void Load_EmptyPerIpExempt_LoopbackCounts()
    {
        var options = LoadValid(Config(tables: "[limits]\nper_ip_exempt = []"));

        Assert.Empty(options.Limits.PerIpExempt);
    }

    [Theory]
    [InlineData("relay_buffer = 4096", 4096)]
    [InlineData("relay_buffer = \"16kib\"", 16 * 1024)]
    [InlineData("relay_buffer = \"4MiB\"", 4 * 1024 * 1024)]
    public void Load_RelayBufferSpellings_AreUnderstood(string line, int expected)
    {
        var options = LoadValid(Config(tables: $"[limits]\n{line}"));

        Assert.Equal(expected, options.Limits.RelayBufferBytes);
    }

    [Theory]
    [InlineData("\"100ms\"", 100)]
    [InlineData("\"300s\"", 300_000)]
    [InlineData("\"5m\"", 300_000)]
    [InlineData("3", 3_000)]
    public void Load_HandshakeDurationSpellings_AreUnderstood(string value, int expectedMilliseconds)
    {
        var options = LoadValid(Config(tables: $"[timeouts]\nhandshake = {value}"));

        Assert.Equal(TimeSpan.FromMilliseconds(expectedMilliseconds), options.Timeouts.Handshake);
    }

    [Fact]
    public void LoadFile_ValidFile_Loads()
    {
        var path = Path.Combine(Path.GetTempPath(), $"gozar-test-{Guid.NewGuid():N}.toml");
        File.WriteAllText(path, Config());
        try
        {
            var result = ConfigLoader.LoadFile(path);

            Assert.True(result.Succeeded, result.Error);
            Assert.Equal("alice", result.Options.Users[0].Name);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void LoadFile_InvalidFile_PrefixesErrorWithPath()
    {
        var path = Path.Combine(Path.GetTempPath(), $"gozar-test-{Guid.NewGuid():N}.toml");
        File.WriteAllText(path, Config(tables: "[limits]\nrelay_buffer = 1"));
        try
        {
            var result = ConfigLoader.LoadFile(path);

            Assert.False(result.Succeeded);
            Assert.StartsWith($"{path}: limits.relay_buffer:", result.Error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void LoadFile_MissingFile_SaysNotFound()
    {
        var path = Path.Combine(Path.GetTempPath(), $"gozar-missing-{Guid.NewGuid():N}", "gozar.toml");

        var result = ConfigLoader.LoadFile(path);

        Assert.False(result.Succeeded);
        Assert.Equal($"config file '{path}' not found", result.Error);
    }

    [Fact]
    public void LoadFile_PathIsDirectory_SaysItIsADirectory()
    {
        var directory = Path.GetTempPath();

        var result = ConfigLoader.LoadFile(directory);

        Assert.False(result.Succeeded);
        Assert.Equal($"'{directory}' is a directory, not a config file", result.Error);
    }

    [Fact]
    public void LoadFile_NotUtf8_NamesTheLine()
    {
        var path = Path.Combine(Path.GetTempPath(), $"gozar-test-{Guid.NewGuid():N}.toml");
        var text = System.Text.Encoding.UTF8.GetBytes(Config() + "# caf");
        File.WriteAllBytes(path, [.. text, 0xE9, (byte)'\n']);
        var lines = Config().Count(c => c == '\n') + 1;
        try
        {
            var result = ConfigLoader.LoadFile(path);

            Assert.False(result.Succeeded);
            Assert.Equal($"{path}: line {lines} is not UTF-8 text (save the file as UTF-8)", result.Error);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void LoadFile_Utf8ByteOrderMark_Loads()
    {
        var path = Path.Combine(Path.GetTempPath(), $"gozar-test-{Guid.NewGuid():N}.toml");
        File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, .. System.Text.Encoding.UTF8.GetBytes(Config())]);
        try
        {
            var result = ConfigLoader.LoadFile(path);

            Assert.True(result.Succeeded, result.Error);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void LoadFile_EmptyPath_IsRefused()
    {
        var result = ConfigLoader.LoadFile(string.Empty);

        Assert.False(result.Succeeded);
        Assert.Contains("empty", result.Error, StringComparison.Ordinal);
    }
}
