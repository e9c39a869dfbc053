using Gozar.Configuration;
using static Gozar.Tests.Configuration.TomlSamples;

namespace Gozar.Tests.Configuration;

public class ConfigLoaderUsersTests
{
    private static string UserTable(string lines) => Config(users: $"[users.bob]\nsecret = \"{BobSecret}\"\n{lines}");

    [Fact]
    public void Load_UserTableWithEveryKey_BindsThem()
    {
        var options = LoadValid(UserTable("""
            enabled = false
            max_connections = 3
            max_unique_ips = 2
            quota = "50GiB"
            quota_reset = "monthly"
            expires = 2026-07-01T12:00:00+02:00
            note = "Bob's phone"
            """));

        var bob = options.Users.Single(u => u.Name == "bob");
        Assert.False(bob.Enabled);
        Assert.Equal(3, bob.MaxConnections);
        Assert.Equal(2, bob.MaxUniqueIps);
        Assert.Equal(50L << 30, bob.Quota);
        Assert.Equal(QuotaReset.Monthly, bob.QuotaReset);
        Assert.Equal(new DateTimeOffset(2026, 7, 1, 10, 0, 0, TimeSpan.Zero), bob.Expires);
        Assert.Equal("Bob's phone", bob.Note);
    }

    [Fact]
    public void Load_ShortFormUser_HasNoLimits()
    {
        var alice = LoadValid(Config()).Users.Single();

        Assert.True(alice.Enabled);
        Assert.Equal(0, alice.MaxConnections);
        Assert.Equal(0, alice.MaxUniqueIps);
        Assert.Equal(0, alice.Quota);
        Assert.Equal(QuotaReset.Never, alice.QuotaReset);
        Assert.Null(alice.Expires);
        Assert.Null(alice.Note);
    }

    [Theory]
    [InlineData("expires = 2026-07-01", "2026-07-01T00:00:00+00:00")]
    [InlineData("expires = 2026-07-01T08:30:00", "2026-07-01T08:30:00+00:00")]
    public void Load_ExpiresWithoutOffset_IsUtc(string line, string expected)
    {
        var bob = LoadValid(UserTable(line)).Users.Single(u => u.Name == "bob");

        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), bob.Expires);
    }

    [Theory]
    [InlineData("enabled = 1", "users.bob.enabled: expected a boolean")]
    [InlineData("max_connections = -1", "users.bob.max_connections: -1 is out of range")]
    [InlineData("max_unique_ips = \"2\"", "users.bob.max_unique_ips: expected an integer")]
    [InlineData("quota = \"50GB\"", "users.bob.quota: '50GB' is not a size")]
    [InlineData("quota = \"99999999999TiB\"", "users.bob.quota: '99999999999TiB' is too large (at most 9223372036854775807)")]
    [InlineData("quota_reset = \"weekly\"", "users.bob.quota_reset: 'weekly' is not one of never, monthly")]
    [InlineData("expires = \"tomorrow\"", "users.bob.expires: expected a date-time")]
    [InlineData("expires = 12:00:00", "users.bob.expires: a time of day alone is not enough")]
    [InlineData("note = 5", "users.bob.note: expected a string")]
    [InlineData("quota_rest = \"monthly\"", "unknown key 'users.bob.quota_rest' (did you mean 'users.bob.quota_reset'?)")]
    public void Load_BadUserValue_NamesTheKey(string line, string expected)
    {
        var error = LoadError(UserTable(line), "users.bob");

        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_NoteTooLong_IsRefused()
    {
        LoadError(UserTable($"note = \"{new string('x', 1025)}\""), "users.bob.note");
    }

    [Theory]
    [InlineData("unique_ip_window = \"1h\"", 3600)]
    [InlineData("unique_ip_window = 0", 0)]
    public void Load_UniqueIpWindow_Binds(string line, int seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), LoadValid(Config(tables: $"[limits]\n{line}")).Limits.UniqueIpWindow);
    }

    [Fact]
    public void Load_UniqueIpWindowTooLong_IsRefused()
    {
        LoadError(Config(tables: "[limits]\nunique_ip_window = \"31d\""), "limits.unique_ip_window");
    }

    [Fact]
    public void Load_FromText_HasNoStateFileAndDefaultInterval()
    {
        var state = LoadValid(Config()).State;

        Assert.Null(state.File);
        Assert.Equal(TimeSpan.FromMinutes(1), state.SaveInterval);
    }

    [Fact]
    public void Load_WithConfigPath_PutsTheStateFileNextToIt()
    {
        var result = ConfigLoader.Load(Config(), "/etc/gozar/gozar.toml");

        Assert.Equal("/etc/gozar/gozar.state.json", result.Options!.State.File);
    }

    [Fact]
    public void Load_RelativeStateFile_StartsFromTheConfigDirectory()
    {
        var result = ConfigLoader.Load(Config(tables: "[state]\nfile = \"usage.json\"\nsave_interval = \"10s\""), "/etc/gozar/gozar.toml");

        Assert.Equal("/etc/gozar/usage.json", result.Options!.State.File);
        Assert.Equal(TimeSpan.FromSeconds(10), result.Options.State.SaveInterval);
    }

    [Theory]
    [InlineData("file = \"\"", "state.file")]
    [InlineData("save_interval = \"0s\"", "state.save_interval")]
    [InlineData("flie = \"x\"", "state.flie")]
    public void Load_BadState_NamesTheKey(string line, string path)
    {
        LoadError(Config(tables: $"[state]\n{line}"), path);
    }
}
