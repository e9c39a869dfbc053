using Gozar.Protocol.FakeTls;
using static Gozar.Tests.Configuration.TomlSamples;

namespace Gozar.Tests.Configuration;

public sealed class ConfigLoaderTlsProfileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("gozar-profile-config-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Load_ProfileFile_ReadsItOnce()
    {
        var profile = new TlsProfile(0x1302, ServerHelloExtensionOrder.KeyShareFirst, 0x11ec, [new RecordLengthRange(4000, 4004)], "a site");
        var path = Write("site.json", TlsProfileJson.Write(profile));

        var options = LoadValid(WithProfile(path));

        Assert.Equal(profile, options.Tls.Profile);
    }

    [Fact]
    public void Load_NoProfileKey_LeavesTheBuiltInToTheProxy()
    {
        Assert.Null(LoadValid(Config()).Tls.Profile);
    }

    [Fact]
    public void Load_MissingFile_NamesKeyAndPath()
    {
        var path = Path.Combine(_directory, "absent.json");

        var error = LoadError(WithProfile(path), "tls.profile");

        Assert.Equal($"tls.profile: '{path}' not found (write it with 'gozar tls-profile fetch HOST')", error);
    }

    [Fact]
    public void Load_Directory_SaysItIsADirectory()
    {
        var error = LoadError(WithProfile(_directory), "tls.profile");

        Assert.Equal($"tls.profile: '{_directory}' is a directory: name the file 'gozar tls-profile fetch' wrote", error);
    }

    [Fact]
    public void Load_NotJson_SaysItIsNotAProfile()
    {
        var path = Write("notes.txt", "cipher = fast\n");

        var error = LoadError(WithProfile(path), "tls.profile");

        Assert.StartsWith($"tls.profile: '{path}': not a TLS profile", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_BadFieldInProfile_NamesTheField()
    {
        var text = TlsProfileJson.Write(BuiltInTlsProfile.For("example.com")).Replace("x25519", "secp256r1", StringComparison.Ordinal);
        var path = Write("bad.json", text);

        var error = LoadError(WithProfile(path), "tls.profile");

        Assert.Equal($"tls.profile: '{path}': key_share_group: must be x25519 or X25519MLKEM768", error);
    }

    [Fact]
    public void Load_HugeFile_Refused()
    {
        var path = Write("huge.json", new string(' ', 70_000));

        var error = LoadError(WithProfile(path), "tls.profile");

        Assert.Contains("larger than 65536 bytes", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_Directory_CannotBeRead()
    {
        var error = LoadError(WithProfile(_directory), "tls.profile");

        Assert.StartsWith("tls.profile: ", error, StringComparison.Ordinal);
        Assert.Contains(_directory, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("profile = \"\"", "tls.profile: is empty")]
    [InlineData("profile = 5", "tls.profile: expected a string")]
    [InlineData("profile = [\"a.json\"]", "tls.profile: expected a string")]
    [InlineData("profile = \"site\\u0000.json\"", "tls.profile: must be a file path")]
    public void Load_ProfileNotAPath_NamesTheKey(string line, string expected)
    {
        var error = LoadError(Config(tls: $"{TlsBody}\n{line}"), "tls.profile");

        Assert.StartsWith(expected, error, StringComparison.Ordinal);
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static string WithProfile(string path) => Config(tls: $"{TlsBody}\nprofile = \"{path}\"");
}
