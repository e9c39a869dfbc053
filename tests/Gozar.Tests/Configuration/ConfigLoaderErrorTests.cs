using Gozar.Configuration;
using static Gozar.Tests.Configuration.TomlSamples;

namespace Gozar.Tests.Configuration;

public sealed class ConfigLoaderErrorTests
{
    [Fact]
    public void Load_SyntaxErrorOnASecret_DoesNotQuoteIt()
    {
        var result = ConfigLoader.Load("listen = [\"127.0.0.1:8443\"]\n\"\n[users]\nalice = \"0011223344556677inf.bob]\n");

        Assert.False(result.Succeeded);
        Assert.StartsWith("TOML syntax error at line", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("00112233", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UnknownKeyHoldingTenDigitsOfASecret_HidesThem()
    {
        var result = ConfigLoader.Load("x0011223344 = 1");

        Assert.False(result.Succeeded);
        Assert.Equal("unknown key 'x<hidden>'", result.Error);
    }

    [Fact]
    public void Load_UnicodeEscapeCutByNewline_MessageStaysOneLine()
    {
        var result = ConfigLoader.Load("a = \"\\u\n");

        Assert.False(result.Succeeded);
        Assert.StartsWith("TOML syntax error at line 1", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', result.Error);
        Assert.Contains("[\\u000a]", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("listen_port = 1", "unknown key 'listen_port' (did you mean 'listen'?)")]
    [InlineData("Log_Level = \"debug\"", "unknown key 'Log_Level' (did you mean 'log_level'?)")]
    [InlineData("verbose = true", "unknown key 'verbose'")]
    public void Load_UnknownTopLevelKey_NamesIt(string line, string expected)
    {
        var error = LoadError(Config(top: $"{ListenLine}\n{line}"), "unknown key");

        Assert.Equal(expected, error);
    }

    [Theory]
    [InlineData("[modes]\nfake_tls = true", "unknown key 'modes.fake_tls'")]
    [InlineData("[upstream]\nmodes = \"direct\"", "unknown key 'upstream.modes' (did you mean 'upstream.mode'?)")]
    [InlineData("[upstream.dc_overrides.2]\nhost = \"x\"", "upstream.dc_overrides.2: expected \"host:port\" or an array of them, got a table")]
    [InlineData("[timeouts]\nconnect = \"5s\"", "unknown key 'timeouts.connect'")]
    [InlineData("[limits]\nrelay_bufer = 4096", "unknown key 'limits.relay_bufer' (did you mean 'limits.relay_buffer'?)")]
    [InlineData("[tsl]\ndomains = []", "unknown key 'tsl' (did you mean 'tls'?)")]
    public void Load_UnknownKeyInTable_NamesFullPath(string tables, string expected)
    {
        var result = ConfigLoader.Load(Config(tables: tables));

        Assert.False(result.Succeeded);
        Assert.EndsWith(expected, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UnknownKeyInTls_SuggestsClosest()
    {
        var error = LoadError(Config(tls: $"{TlsBody}\nmaskhost = \"example.com:443\""), "tls.maskhost");

        Assert.Equal("unknown key 'tls.maskhost' (did you mean 'tls.mask_host'?)", error);
    }

    [Fact]
    public void Load_UnknownKeyInUserTable_NamesUserPath()
    {
        var error = LoadError(Config(users: $"[users.bob]\nsecret = \"{BobSecret}\"\nsecrte = 1"), "users.bob.secrte");

        Assert.Contains("did you mean 'users.bob.secret'?", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("example.com:443", "host names are not allowed")]
    [InlineData("0.0.0.0", "has no port")]
    [InlineData("::1:443", "needs brackets")]
    [InlineData("[::1:443", "no valid IPv6 address")]
    [InlineData("[::1]443", "not a valid host name or IP address")]
    [InlineData("1.2.3:443", "not a valid host name or IP address")]
    [InlineData("256.1.1.1:443", "not a valid host name or IP address")]
    [InlineData("localhost:443", "host names are not allowed")]
    [InlineData("0.0.0.0:0", "invalid port")]
    [InlineData("0.0.0.0:70000", "invalid port")]
    [InlineData("[::]:0", "invalid port")]
    [InlineData("0.0.0.0:https", "invalid port")]
    public void Load_BadListenAddress_NamesElementAndValue(string address, string expected)
    {
        var error = LoadError(Config(top: $"listen = [\"[::]:443\", \"{address}\"]"), "listen[1]");

        Assert.Contains($"'{address}'", error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingListen_SaysRequired()
    {
        var error = LoadError(Config(top: "log_level = \"debug\""), "listen");

        Assert.StartsWith("listen: required", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("listen = []", "listen: needs at least one address")]
    [InlineData("listen = \"0.0.0.0:443\"", "listen: expected an array of strings, got a string")]
    [InlineData("listen = [443]", "listen[0]: expected a string, got an integer")]
    [InlineData("listen = [\"0.0.0.0:443\", \"0.0.0.0:443\"]", "listen[1]: '0.0.0.0:443' is listed twice")]
    public void Load_BadListenShape_NamesKey(string top, string expected)
    {
        var error = LoadError(Config(top: top), "listen");

        Assert.StartsWith(expected, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("public_host = \"proxy.example.org:443\"")]
    [InlineData("public_host = \"https://proxy.example.org\"")]
    [InlineData("public_host = \"\"")]
    [InlineData("public_host = \"-bad-.example.org\"")]
    [InlineData("public_host = \"[proxy.example.org]\"")]
    [InlineData("public_host = 1")]
    public void Load_BadPublicHost_NamesKey(string line)
    {
        LoadError(Config(top: $"{ListenLine}\n{line}"), "public_host:");
    }

    [Theory]
    [InlineData("log_level = \"verbose\"", "log_level: 'verbose' is not one of")]
    [InlineData("log_level = 3", "log_level: expected a string, got an integer")]
    [InlineData("log_client_ips = \"no\"", "log_client_ips: expected a boolean")]
    public void Load_BadLogSetting_NamesKey(string line, string expected)
    {
        var error = LoadError(Config(top: $"{ListenLine}\n{line}"), "log_");

        Assert.StartsWith(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_NoUsersSection_SaysUserRequired()
    {
        var error = LoadError($"{ListenLine}\n[tls]\n{TlsBody}\n", "users");

        Assert.StartsWith("users: at least one user is required", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_EmptyUsersSection_SaysUserRequired()
    {
        var error = LoadError(Config(users: string.Empty), "users");

        Assert.StartsWith("users: at least one user is required", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0123456789abcdef0123456789abcde")]
    [InlineData("0123456789abcdef0123456789abcdef01")]
    [InlineData("0123456789abcdef0123456789abcdeg")]
    [InlineData("ff0123456789abcdef0123456789abcdef")]
    [InlineData("ABEiM0RVZneImaq7zN3u")]
    [InlineData("")]
    [InlineData("0123456789ABCDEF 0123456789ABCDEF")]
    public void Load_BadSecret_NamesUserWithoutEchoingSecret(string secret)
    {
        var error = LoadError(Config(users: $"alice = \"{secret}\""), "users.alice");

        Assert.Equal("users.alice: secret must be 32 hex digits (a 16-byte key; a pasted dd/ee secret also works)", error);
    }

    [Fact]
    public void Load_BadSecretInUserTable_NamesSecretKeyWithoutEchoingIt()
    {
        const string secret = "0123456789abcdef0123456789abcdeX";

        var error = LoadError(Config(users: $"[users.bob]\nsecret = \"{secret}\""), "users.bob.secret");

        Assert.DoesNotContain(secret, error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Load_UserTableWithoutSecret_SaysRequired()
    {
        var error = LoadError(Config(users: "[users.bob]"), "users.bob.secret");

        Assert.StartsWith("users.bob.secret: required", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("alice = 123", "users.alice: expected a secret string")]
    [InlineData("alice = [\"00112233445566778899aabbccddeeff\"]", "users.alice: expected a secret string")]
    [InlineData("[users.bob]\nsecret = 5", "users.bob.secret: expected a string, got an integer")]
    public void Load_SecretOfWrongType_NamesTypeWithoutValue(string users, string expected)
    {
        var error = LoadError(Config(users: users), "users.");

        Assert.StartsWith(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain(AliceSecret, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_DuplicateSecret_NamesBothUsersWithoutSecret()
    {
        var users = $"{UsersBody}\ncarol = \"dd{AliceSecret.ToUpperInvariant()}\"";

        var error = LoadError(Config(users: users), "users.carol");

        Assert.Contains("users.alice", error, StringComparison.Ordinal);
        Assert.DoesNotContain(AliceSecret, error, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("\"al ice\"", "users.\"al ice\"")]
    [InlineData("\"ali$e\"", "users.\"ali$e\"")]
    [InlineData("\"\"", "users.\"\"")]
    [InlineData("\"ålice\"", "users.\"ålice\"")]
    [InlineData("user_nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn", "users.user_nnn")]
    public void Load_BadUserName_NamesUser(string name, string path)
    {
        var error = LoadError(Config(users: $"{name} = \"{AliceSecret}\""), path);

        Assert.EndsWith("user names are 1..64 characters of A-Z a-z 0-9 _ . -", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UserNameWithDot_IsAcceptedAndQuotedInPaths()
    {
        var options = LoadValid(Config(users: $"\"a.b-c_d\" = \"{AliceSecret}\""));

        Assert.Equal("a.b-c_d", options.Users[0].Name);
    }

    [Fact]
    public void Load_AllModesOff_NamesModes()
    {
        var error = LoadError(Config(tables: "[modes]\ntls = false"), "modes");

        Assert.Equal("modes: at least one of classic, secure, tls must be true", error);
    }

    [Theory]
    [InlineData("[modes]\nclassic = \"yes\"", "modes.classic: expected a boolean")]
    [InlineData("[modes]\ntls = 1", "modes.tls: expected a boolean")]
    public void Load_ModeOfWrongType_NamesKey(string tables, string expected)
    {
        var error = LoadError(Config(tables: tables), "modes.");

        Assert.StartsWith(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_TlsModeWithoutTlsSection_SaysDomainsRequired()
    {
        var error = LoadError($"{ListenLine}\n[users]\n{UsersBody}\n", "tls.domains");

        Assert.StartsWith("tls.domains: needs at least one domain when modes.tls is true", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mask_host = \"example.com:443\"")]
    [InlineData("domains = []")]
    public void Load_TlsModeWithoutDomains_SaysDomainsRequired(string tls)
    {
        LoadError(Config(tls: tls), "tls.domains: needs at least one domain");
    }

    [Theory]
    [InlineData("abc", "shorter than 4 characters")]
    [InlineData("-bad.example.com", "not a valid DNS host name")]
    [InlineData("exa_mple.com", "not a valid DNS host name")]
    [InlineData("203.0.113.7", "is an IP address; a TLS hello names a host")]
    [InlineData("2001:db8::1", "is an IP address; a TLS hello names a host")]
    [InlineData("[2001:db8::1]", "is an IP address; a TLS hello names a host")]
    [InlineData("1234", "not a valid DNS host name")]
    [InlineData("example.com:443", "not a valid DNS host name")]
    [InlineData("example.com.", "not a valid DNS host name")]
    public void Load_BadTlsDomain_NamesElementAndValue(string domain, string expected)
    {
        var error = LoadError(Config(tls: $"domains = [\"example.org\", \"{domain}\"]"), "tls.domains[1]");

        Assert.Contains($"'{domain}'", error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_DuplicateTlsDomainAfterLowerCasing_IsRefused()
    {
        var error = LoadError(Config(tls: "domains = [\"example.com\", \"EXAMPLE.com\"]"), "tls.domains[1]");

        Assert.EndsWith("is listed twice", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("example.com", "has no port")]
    [InlineData("example.com:0", "invalid port")]
    [InlineData("example.com:65536", "invalid port")]
    [InlineData("::1:443", "needs brackets")]
    [InlineData("[::1]", "has no port")]
    [InlineData("exa mple.com:443", "not a valid host name")]
    [InlineData("", "not a valid host name")]
    public void Load_BadMaskHost_NamesKeyAndValue(string maskHost, string expected)
    {
        var error = LoadError(Config(tls: $"{TlsBody}\nmask_host = \"{maskHost}\""), "tls.mask_host");

        Assert.Contains($"'{maskHost}'", error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("clock_skew_past = \"10x\"", "tls.clock_skew_past: '10x' is not a duration")]
    [InlineData("clock_skew_past = \"1.5s\"", "tls.clock_skew_past: '1.5s' is not a duration")]
    [InlineData("clock_skew_past = \"-5s\"", "tls.clock_skew_past: '-5s' is not a duration")]
    [InlineData("clock_skew_past = \"10 s\"", "tls.clock_skew_past: '10 s' is not a duration")]
    [InlineData("clock_skew_past = 1.5", "tls.clock_skew_past: expected a duration")]
    [InlineData("clock_skew_future = \"2d\"", "tls.clock_skew_future: '2d' is out of range (0s .. 1d)")]
    [InlineData("clock_skew_future = -1", "tls.clock_skew_future: -1 is out of range")]
    [InlineData("ignore_clock_skew = 1", "tls.ignore_clock_skew: expected a boolean")]
    [InlineData("replay_cache_entries = 999", "tls.replay_cache_entries: 999 is out of range (1000 .. 100000000)")]
    [InlineData("replay_cache_entries = 100_000_001", "tls.replay_cache_entries: 100000001 is out of range")]
    [InlineData("replay_cache_entries = \"1000\"", "tls.replay_cache_entries: expected an integer, got a string")]
    [InlineData("unknown_sni = \"drop\"", "tls.unknown_sni: 'drop' is not one of mask, reject, accept")]
    [InlineData("unknown_sni = true", "tls.unknown_sni: expected a string")]
    [InlineData("mask_preconnect_delay = \"11s\"", "tls.mask_preconnect_delay: '11s' is out of range (0s .. 10s)")]
    public void Load_BadTlsValue_NamesKey(string line, string expected)
    {
        var error = LoadError(Config(tls: $"{TlsBody}\n{line}"), "tls.");

        Assert.StartsWith(expected, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("handshake = \"50ms\"", "timeouts.handshake: '50ms' is out of range (100ms .. 5m)")]
    [InlineData("handshake = \"6m\"", "timeouts.handshake: '6m' is out of range (100ms .. 5m)")]
    [InlineData("handshake = 301", "timeouts.handshake: 301 is out of range (100ms .. 5m)")]
    [InlineData("handshake = \"ten\"", "timeouts.handshake: 'ten' is not a duration")]
    [InlineData("idle = \"500ms\"", "timeouts.idle: '500ms' is out of range (1s .. 7d)")]
    [InlineData("idle = \"8d\"", "timeouts.idle: '8d' is out of range (1s .. 7d)")]
    [InlineData("idle = \"999999999999999h\"", "timeouts.idle: '999999999999999h' is out of range")]
    [InlineData("idle = 99999999999999999", "timeouts.idle: 99999999999999999 is out of range")]
    [InlineData("idle = \"99999999999999999999999m\"", "timeouts.idle: '99999999999999999999999m' is out of range (1s .. 7d)")]
    [InlineData("idle = true", "timeouts.idle: expected a duration")]
    [InlineData("memory_trim = \"2h\"", "timeouts.memory_trim: '2h' is out of range (0s .. 1h)")]
    [InlineData("memory_trim = \"soon\"", "timeouts.memory_trim: 'soon' is not a duration")]
    [InlineData("drain = \"2h\"", "timeouts.drain: '2h' is out of range (0s .. 1h)")]
    [InlineData("drain = \"-1s\"", "timeouts.drain: '-1s' is")]
    public void Load_BadTimeout_NamesKeyAndRange(string line, string expected)
    {
        var error = LoadError(Config(tables: $"[timeouts]\n{line}"), "timeouts.");

        Assert.StartsWith(expected, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("relay_buffer = \"64KB\"", "limits.relay_buffer: '64KB' is not a size")]
    [InlineData("relay_buffer = \"abc\"", "limits.relay_buffer: 'abc' is not a size")]
    [InlineData("relay_buffer = \"1GB\"", "limits.relay_buffer: '1GB' is not a size")]
    [InlineData("relay_buffer = \"8MiB\"", "limits.relay_buffer: '8MiB' is out of range (4KiB .. 4MiB)")]
    [InlineData("relay_buffer = 1024", "limits.relay_buffer: 1024 is out of range (4KiB .. 4MiB)")]
    [InlineData("relay_buffer = \"99999999999TiB\"", "limits.relay_buffer: '99999999999TiB' is too large (at most 4MiB)")]
    [InlineData("relay_buffer = \"99999999999999999999\"", "limits.relay_buffer: '99999999999999999999' is too large (at most 4MiB)")]
    [InlineData("relay_buffer = \"5000000000000\"", "limits.relay_buffer: '5000000000000' is out of range (4KiB .. 4MiB)")]
    [InlineData("relay_buffer = -4096", "limits.relay_buffer: -4096 is out of range")]
    [InlineData("relay_buffer = true", "limits.relay_buffer: expected a size")]
    public void Load_BadRelayBuffer_NamesKeyAndRange(string line, string expected)
    {
        var error = LoadError(Config(tables: $"[limits]\n{line}"), "limits.relay_buffer");

        Assert.StartsWith(expected, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("max_connections = 0", "limits.max_connections: 0 is out of range (1 .. 1000000)")]
    [InlineData("max_connections = 1000001", "limits.max_connections: 1000001 is out of range (1 .. 1000000)")]
    [InlineData("max_handshakes = 0", "limits.max_handshakes: 0 is out of range (1 .. 1000000)")]
    [InlineData("max_mask_preconnects = -1", "limits.max_mask_preconnects: -1 is out of range (0 .. 1000000)")]
    [InlineData("per_ip_rate = -1", "limits.per_ip_rate: -1 is out of range (0 .. 1000000)")]
    [InlineData("per_ip_rate = \"20/s\"", "limits.per_ip_rate: expected an integer")]
    [InlineData("per_ip_burst = 0", "limits.per_ip_burst: 0 is out of range (1 .. 1000000)")]
    [InlineData("per_ip_exempt = \"127.0.0.1\"", "limits.per_ip_exempt: expected an array of strings")]
    [InlineData("per_ip_exempt = [\"localhost\"]", "limits.per_ip_exempt[0]: 'localhost' is not an IP network")]
    [InlineData("per_ip_exempt = [\"::1/128\", \"10.0.0.1/8\"]", "limits.per_ip_exempt[1]: '10.0.0.1/8' has address bits set after the prefix")]
    [InlineData("over_rate = \"drop\"", "limits.over_rate: 'drop' is not one of mask, close")]
    [InlineData("over_rate = true", "limits.over_rate: expected a string")]
    [InlineData("unique_ip_window = \"31d\"", "limits.unique_ip_window: '31d' is out of range")]
    public void Load_BadAdmissionLimit_NamesKeyAndRange(string line, string expected)
    {
        var error = LoadError(Config(tables: $"[limits]\n{line}"), "limits.");

        Assert.StartsWith(expected, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ip_preference = \"ipv4\"", "upstream.ip_preference: 'ipv4' is not one of prefer-ipv4, prefer-ipv6, only-ipv4, only-ipv6")]
    [InlineData("ip_preference = \"Prefer-IPv4\"", "upstream.ip_preference: 'Prefer-IPv4' is not one of")]
    [InlineData("mode = \"relay\"", "upstream.mode: 'relay' is not one of direct, middle")]
    [InlineData("ad_tag = \"dcbe8f14\"", "upstream.ad_tag: must be 32 hex digits (the tag @MTProxybot gives)")]
    [InlineData("ad_tag = \"zcbe8f1493fa4cd9ab300891c0b5b326\"", "upstream.ad_tag: must be 32 hex digits")]
    [InlineData("mode = 1", "upstream.mode: expected a string, got an integer")]
    [InlineData("connect_timeout = \"2m\"", "upstream.connect_timeout: '2m' is out of range (100ms .. 1m)")]
    [InlineData("dns_cache = \"2h\"", "upstream.dns_cache: '2h' is out of range (0s .. 1h)")]
    [InlineData("dns_cache = \"soon\"", "upstream.dns_cache:")]
    [InlineData("fast_mode = \"yes\"", "upstream.fast_mode: expected a boolean")]
    public void Load_BadUpstreamValue_NamesKey(string line, string expected)
    {
        var error = LoadError(Config(tables: $"[upstream]\n{line}"), "upstream.");

        Assert.StartsWith(expected, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("abc = \"127.0.0.1:443\"", "upstream.dc_overrides.abc: is not a DC id")]
    [InlineData("\"0\" = \"127.0.0.1:443\"", "upstream.dc_overrides.0: is not a DC id")]
    [InlineData("\"2.5\" = \"127.0.0.1:443\"", "upstream.dc_overrides.\"2.5\": is not a DC id")]
    [InlineData("\"99999999999\" = \"127.0.0.1:443\"", "upstream.dc_overrides.99999999999: is not a DC id")]
    [InlineData("\"2\" = \"127.0.0.1:1\"\n\"02\" = \"127.0.0.1:2\"", "upstream.dc_overrides.02: DC 2 is listed twice")]
    [InlineData("\"2\" = \"127.0.0.1\"", "upstream.dc_overrides.2: '127.0.0.1' has no port")]
    [InlineData("\"2\" = \"127.0.0.1:99999\"", "upstream.dc_overrides.2: '127.0.0.1:99999' has an invalid port")]
    [InlineData("\"*\" = [\"127.0.0.1:1\", \"::1:443\"]", "upstream.dc_overrides.\"*\"[1]: '::1:443' needs brackets")]
    [InlineData("\"*\" = [\"127.0.0.1:1\", 443]", "upstream.dc_overrides.\"*\"[1]: expected a string, got an integer")]
    [InlineData("\"*\" = []", "upstream.dc_overrides.\"*\": needs at least one \"host:port\"")]
    [InlineData("\"-2\" = 443", "upstream.dc_overrides.-2: expected \"host:port\" or an array of them, got an integer")]
    public void Load_BadDcOverride_NamesKey(string line, string expected)
    {
        var error = LoadError(Config(tables: $"[upstream.dc_overrides]\n{line}"), "upstream.dc_overrides.");

        Assert.StartsWith(expected, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("modes = 1", "modes: expected a table, got an integer")]
    [InlineData("upstream = []", "upstream: expected a table, got an array")]
    [InlineData("timeouts = true", "timeouts: expected a table, got a boolean")]
    [InlineData("limits = 1979-05-27", "limits: expected a table, got a date/time")]
    public void Load_SectionOfWrongType_NamesExpectedType(string line, string expected)
    {
        var error = LoadError(Config(top: $"{ListenLine}\n{line}"), expected[..expected.IndexOf(':', StringComparison.Ordinal)]);

        Assert.Equal(expected, error);
    }

    [Fact]
    public void Load_TlsOfWrongType_NamesExpectedType()
    {
        var error = LoadError($"{ListenLine}\ntls = \"yes\"\n[users]\n{UsersBody}\n", "tls");

        Assert.Equal("tls: expected a table, got a string", error);
    }

    [Fact]
    public void Load_UsersOfWrongType_NamesExpectedType()
    {
        var error = LoadError($"{ListenLine}\nusers = \"alice\"\n[tls]\n{TlsBody}\n", "users");

        Assert.Equal("users: expected a table, got a string", error);
    }

    [Fact]
    public void Load_ArrayOfTablesForUsers_NamesExpectedType()
    {
        var error = LoadError($"{ListenLine}\n[tls]\n{TlsBody}\n[[users]]\nsecret = \"{AliceSecret}\"\n", "users");

        Assert.Equal("users: expected a table, got an array of tables", error);
    }

    [Fact]
    public void Load_SyntaxError_GivesLineAndColumn()
    {
        var error = LoadError("listen = [\"0.0.0.0:1\"]\n\nlog_level = \n", "line 3, column");

        Assert.StartsWith("TOML syntax error at line 3, column 1", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_DuplicateKeyWithSecret_ReportsWithoutSecret()
    {
        var error = LoadError(Config(users: $"{UsersBody}\n{UsersBody}"), "TOML syntax error at line");

        Assert.Contains("alice", error, StringComparison.Ordinal);
        Assert.DoesNotContain(AliceSecret, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UnquotedSecret_ReportsWithoutSecretPieces()
    {
        var error = LoadError(Config(users: $"alice = {AliceSecret}"), "TOML syntax error at line");

        Assert.DoesNotContain("00112233", error, StringComparison.Ordinal);
        Assert.DoesNotContain("aabbcc", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_SecretPastedAsUserName_IsNotEchoed()
    {
        var error = LoadError(Config(users: $"{AliceSecret} = \"alice\""), "users.");

        Assert.DoesNotContain(AliceSecret, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_EmptyText_SaysListenRequired()
    {
        var error = LoadError(string.Empty, "listen");

        Assert.StartsWith("listen: required", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("public_host = \"abc\\")]
    [InlineData("\"abc\\")]
    public void Load_BackslashAtEndOfFileInAString_IsASyntaxError(string lastLine)
    {
        var error = LoadError($"{ListenLine}\n{lastLine}", "TOML syntax error");

        Assert.Equal("TOML syntax error: the text ends inside an escape sequence of a string", error);
    }

    [Fact]
    public void Load_ControlCharacterInValue_KeepsMessageOnOneLine()
    {
        var error = LoadError(Config(top: "listen = [\"0.0.0.0\\n:443\"]"), "listen[0]");

        Assert.Contains("\\u000a", error, StringComparison.Ordinal);
    }
}
