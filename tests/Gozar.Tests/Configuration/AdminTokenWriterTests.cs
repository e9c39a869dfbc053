using Gozar.Configuration;
using static Gozar.Tests.Configuration.TomlSamples;

namespace Gozar.Tests.Configuration;

public sealed class AdminTokenWriterTests
{
    private const string Token = "Zm9vYmFyYmF6cXV4cXV1eDEyMzQ1Njc4OTA";

    [Fact]
    public void Insert_AdminHeader_AddsTokenBelowAndKeepsEveryOtherLine()
    {
        var text = Config(tables: "# the admin side\n[admin]   # web page\nlisten = \"127.0.0.1:9090\"\n");

        var written = AdminTokenWriter.Insert(text, Token)!;

        Assert.Equal(text, written.Replace($"\ntoken = \"{Token}\"", string.Empty, StringComparison.Ordinal));
        Assert.Equal(Token, LoadValid(written).Admin!.Token);
    }

    [Fact]
    public void Insert_NoAdminHeader_ReturnsNull() =>
        Assert.Null(AdminTokenWriter.Insert(Config(tables: "#[admin]\nadmin_note = 1"), Token));

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void WriteAtomically_ExistingFile_ReplacesItOwnerOnly()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("gozar-admin-").FullName, "gozar.toml");
        File.WriteAllText(path, "old");

        AdminTokenWriter.WriteAtomically(path, "new");

        Assert.Equal("new", File.ReadAllText(path));
        Assert.False(File.Exists(path + ".tmp"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void WriteAtomically_TemporaryNameHeldOpenElsewhere_TheTextNeverReachesThatFile()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("gozar-admin-").FullName, "gozar.toml");
        File.WriteAllText(path, "old");
        // Left at the temporary name (a crash; another user where the directory lets them) and kept open by someone.
        File.WriteAllText(path + ".tmp", string.Empty);
        File.SetUnixFileMode(path + ".tmp", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        using var held = new FileStream(path + ".tmp", FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);

        AdminTokenWriter.WriteAtomically(path, $"token = \"{Token}\"");

        Assert.Equal($"token = \"{Token}\"", File.ReadAllText(path));
        Assert.Equal(0, held.Length);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
    }
}
