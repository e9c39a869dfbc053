using Gozar.Configuration;
using static Gozar.Tests.Configuration.TomlSamples;

namespace Gozar.Tests.Configuration;

public class ConfigFileEditorTests
{
    private static readonly byte[] BobKey = Convert.FromHexString(BobSecret);

    private const string Original = $"""
        # Gozar config
        listen = ["0.0.0.0:8443"] # public port

        [tls]
        domains = ["example.com"]

        [users]
        # Alice's laptop
        alice = "{AliceSecret}" # since March

        # limits
        [limits]
        relay_buffer = "64KiB"
        """;

    [Fact]
    public void SetUser_NewUserWithoutLimits_AddsAShortLineKeepingComments()
    {
        var text = Edit(ConfigFileEditor.SetUser(Original, "bob", new UserPatch { Secret = BobKey }));

        Assert.Contains($"alice = \"{AliceSecret}\" # since March\nbob = \"{BobSecret}\"\n", text, StringComparison.Ordinal);
        Assert.Contains("# Alice's laptop", text, StringComparison.Ordinal);
        Assert.Contains("# public port", text, StringComparison.Ordinal);
        Assert.Equal(2, LoadValid(text).Users.Count);
    }

    [Fact]
    public void SetUser_NewUserWithLimits_AddsATable()
    {
        var text = Edit(ConfigFileEditor.SetUser(Original, "bob", new UserPatch
        {
            Secret = BobKey,
            Quota = 50L << 30,
            QuotaReset = QuotaReset.Monthly,
            Expires = new DateTimeOffset(2026, 7, 1, 0, 0, 0, TimeSpan.Zero),
            Note = "Bob \"the builder\"",
        }));

        var bob = LoadValid(text).Users.Single(u => u.Name == "bob");
        Assert.Equal(50L << 30, bob.Quota);
        Assert.Equal(QuotaReset.Monthly, bob.QuotaReset);
        Assert.Equal(new DateTimeOffset(2026, 7, 1, 0, 0, 0, TimeSpan.Zero), bob.Expires);
        Assert.Equal("Bob \"the builder\"", bob.Note);
        Assert.Contains("quota = \"50GiB\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public void SetUser_ShortFormGetsALimit_BecomesATableWithTheSameSecret()
    {
        var text = Edit(ConfigFileEditor.SetUser(Original, "alice", new UserPatch { MaxConnections = 2 }));

        var alice = LoadValid(text).Users.Single();
        Assert.Equal(2, alice.MaxConnections);
        Assert.Equal(Convert.FromHexString(AliceSecret), alice.Secret);
        Assert.Contains("[users.alice]", text, StringComparison.Ordinal);
        Assert.Contains("relay_buffer = \"64KiB\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public void SetUser_TableForm_ChangesAndClearsOnlyTheNamedKeys()
    {
        var table = Edit(ConfigFileEditor.SetUser(Original, "alice", new UserPatch { MaxConnections = 2, Note = "laptop" }));

        var text = Edit(ConfigFileEditor.SetUser(table, "alice", new UserPatch { Enabled = false, MaxConnections = 5, Clear = ["note"] }));

        var alice = LoadValid(text).Users.Single();
        Assert.False(alice.Enabled);
        Assert.Equal(5, alice.MaxConnections);
        Assert.Null(alice.Note);
        Assert.Contains("# Alice's laptop", text, StringComparison.Ordinal);
    }

    [Fact]
    public void RemoveUser_ShortForm_RemovesOnlyItsLine()
    {
        var withBob = Edit(ConfigFileEditor.SetUser(Original, "bob", new UserPatch { Secret = BobKey }));

        var text = Edit(ConfigFileEditor.RemoveUser(withBob, "alice"));

        Assert.Equal("bob", LoadValid(text).Users.Single().Name);
        Assert.Contains("# limits", text, StringComparison.Ordinal);
    }

    [Fact]
    public void RemoveUser_TableForm_RemovesTheTable()
    {
        var withBob = Edit(ConfigFileEditor.SetUser(Original, "bob", new UserPatch { Secret = BobKey, MaxUniqueIps = 1 }));

        var text = Edit(ConfigFileEditor.RemoveUser(withBob, "bob"));

        Assert.DoesNotContain("bob", text, StringComparison.Ordinal);
        Assert.Equal("alice", LoadValid(text).Users.Single().Name);
    }

    [Fact]
    public void RemoveUser_Unknown_IsNotFound()
    {
        var (text, result) = ConfigFileEditor.RemoveUser(Original, "carol");

        Assert.Null(text);
        Assert.True(result.NotFound);
    }

    [Fact]
    public void AddUser_NameInTheFile_IsTakenAndNothingChanges()
    {
        var tabled = Edit(ConfigFileEditor.SetUser(Original, "bob", new UserPatch { Secret = BobKey, MaxConnections = 2 }));

        var (shortText, shortResult) = ConfigFileEditor.AddUser(Original, "alice", new UserPatch { Secret = BobKey });
        var (tableText, tableResult) = ConfigFileEditor.AddUser(tabled, "bob", new UserPatch { Secret = Convert.FromHexString(AliceSecret) });

        Assert.Null(shortText);
        Assert.True(shortResult.Exists);
        Assert.Contains("users.alice", shortResult.Error, StringComparison.Ordinal);
        Assert.Null(tableText);
        Assert.True(tableResult.Exists);
    }

    [Fact]
    public void AddUser_NewName_AddsTheUser()
    {
        var text = Edit(ConfigFileEditor.AddUser(Original, "bob", new UserPatch { Secret = BobKey }));

        Assert.Equal(BobKey, LoadValid(text).Users.Single(u => u.Name == "bob").Secret);
    }

    [Fact]
    public void SetUser_NewUserWithoutSecret_IsRefused()
    {
        var (text, result) = ConfigFileEditor.SetUser(Original, "carol", new UserPatch { Quota = 1 });

        Assert.Null(text);
        Assert.Contains("needs a secret", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bad name")]
    [InlineData("x\ny = 1")]
    public void SetUser_BadName_IsRefused(string name)
    {
        var (text, result) = ConfigFileEditor.SetUser(Original, name, new UserPatch { Secret = BobKey });

        Assert.Null(text);
        Assert.False(result.Succeeded);
    }

    [Fact]
    public void SetUser_FileMode_StaysOwnerOnly()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("gozar-edit-").FullName, "gozar.toml");
        File.WriteAllText(path, Original);

        var result = new ConfigFileEditor(path).SetUser("bob", new UserPatch { Secret = BobKey });

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(2, LoadValid(File.ReadAllText(path)).Users.Count);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }

        Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void SetUser_TemporaryFileLeftReadableByOthers_ConfigStaysOwnerOnly()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("gozar-edit-").FullName, "gozar.toml");
        File.WriteAllText(path, Original);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        // Left at the editor's temporary name by something else, with the mode a umask of 022 gives.
        File.WriteAllText(path + ".edit.tmp", string.Empty);
        File.SetUnixFileMode(path + ".edit.tmp", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var result = new ConfigFileEditor(path).SetUser("bob", new UserPatch { Secret = BobKey });

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(2, LoadValid(File.ReadAllText(path)).Users.Count);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
    }

    private static string Edit((string? Text, ConfigEditResult Result) edit)
    {
        Assert.True(edit.Result.Succeeded, edit.Result.Error);
        return edit.Text!;
    }
}
